import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import type { ThreadsPost } from '../shared/feed.js';
import { AGENT_TOKEN, apiClient, startTestGateway } from './helpers/gateway.js';
import { TestRedis } from './helpers/redis.js';
import { waitFor } from './helpers/wait.js';
import {
  startWorkerProcess,
  temporaryProfileDir,
  type WorkerProcess,
  workerEnv,
} from './helpers/worker-process.js';
import { startTestSite, type TestSite } from './site/server.js';

let redis: TestRedis;
let redisClient: Redis;
let site: TestSite;
let gateway: GatewayServer;
let worker: WorkerProcess;
let profile: ReturnType<typeof temporaryProfileDir>;
let api: ReturnType<typeof apiClient>;
let agent: ReturnType<typeof apiClient>;

beforeAll(async () => {
  redis = await TestRedis.start();
  redisClient = redis.client();
  site = await startTestSite();
  gateway = await startTestGateway(redis.url, {
    THREADS_BASE_URL: site.url,
    ALLOWED_HOSTS: new URL(site.url).host,
  });
  api = apiClient(gateway.url);
  agent = apiClient(gateway.url, AGENT_TOKEN);
  profile = temporaryProfileDir();
  worker = startWorkerProcess(workerEnv(redis.url, site.url, profile.path));
  await waitFor(
    async () => (await api('GET', '/api/browser/status')).body,
    (status) => status.workerUp === true && status.loggedIn === true,
    { what: 'the worker heartbeat', timeoutMs: 45_000 },
  );
});

afterAll(async () => {
  await worker?.stop();
  await gateway?.stop('test end');
  await site?.close();
  redisClient?.disconnect();
  await redis?.stop();
  profile?.remove();
});

async function refreshAndWait(body?: unknown) {
  const queued = await api('POST', '/api/browser/feed/refresh', body);
  expect(queued.status).toBe(202);
  const jobId: string = queued.body.jobId;
  expect(queued.headers.get('location')).toBe(`/api/jobs/${jobId}`);

  try {
    const job = await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (answer) => ['completed', 'failed'].includes(answer.body?.state),
      { what: `feed job ${jobId} to finish`, timeoutMs: 45_000 },
    );
    expect(job.body.error).toBeNull();
    expect(job.body.state).toBe('completed');
    return { jobId, job: job.body };
  } catch (error) {
    throw new Error(`${String(error)}\nworker output:\n${worker.output().slice(-4000)}`);
  }
}

async function eventsOfType(type: string): Promise<Array<Record<string, unknown>>> {
  const entries = await redisClient.xrange('browser:events', '-', '+');
  return entries.flatMap(([, fields]) =>
    fields[1] === type && fields[3] ? [JSON.parse(fields[3]) as Record<string, unknown>] : [],
  );
}

function postWithText(posts: ThreadsPost[], text: string): ThreadsPost {
  const post = posts.find((item) => item.text === text);
  if (!post)
    throw new Error(
      `no post with text ${JSON.stringify(text)} in ${JSON.stringify(posts.map((item) => item.text))}`,
    );
  return post;
}

describe('feed', () => {
  it('answers 404 before the first read', async () => {
    const response = await api('GET', '/api/browser/feed');

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('rejects refresh with the agent token', async () => {
    const response = await agent('POST', '/api/browser/feed/refresh', { limit: 5 });

    expect(response.status).toBe(403);
    expect(await eventsOfType('job.queued')).toEqual([]);
  });

  it('rejects an invalid refresh body', async () => {
    for (const body of [{ limit: 0 }, { limit: 101 }, { limit: 2.5 }, { limit: '5' }, { count: 5 }]) {
      const response = await api('POST', '/api/browser/feed/refresh', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('reads every seeded kind across pages', async () => {
    const { jobId, job } = await refreshAndWait({ limit: 100 });
    const response = await api('GET', '/api/browser/feed');

    expect(response.status).toBe(200);
    const posts: ThreadsPost[] = response.body.posts;
    expect(response.body.source).toBe('graphql');
    expect(Date.parse(response.body.fetchedAt)).toBeGreaterThan(Date.now() - 120_000);
    // Ten threads, one of them a reply pair, on two pages of eight threads.
    expect(posts).toHaveLength(11);
    expect(job.result.count).toBe(11);
    expect(new Set(posts.map((post) => post.id)).size).toBe(11);

    const plain = postWithText(posts, 'Morning walk done. The river was louder than the traffic today.');
    expect(plain.author).toEqual({ username: 'ana.rivera', verified: true });
    expect(plain.permalink).toBe(`${site.url}/@ana.rivera/post/${plain.code}`);
    expect(plain.counts).toEqual({ likes: 42, replies: 3, reposts: 2, quotes: 1 });
    expect(plain.mediaType).toBe('text');
    expect(Date.parse(plain.takenAt ?? '')).toBeLessThan(Date.now());

    const quote = postWithText(posts, 'This is the kind of morning I need more of.');
    expect(quote.quotedPost?.code).toBe(plain.code);
    expect(quote.quotedPost?.author?.username).toBe('ana.rivera');

    const carousel = postWithText(posts, 'Three stages of the shelf build: sketch, cut, done.');
    expect(carousel.mediaType).toBe('carousel');
    expect(carousel.media).toHaveLength(3);

    const video = postWithText(posts, 'Thirty seconds of the harbour at dawn.');
    expect(video.mediaType).toBe('video');
    expect(video.media).toEqual([{ type: 'video', url: `${site.url}/media/video/harbour.mp4` }]);

    const question = postWithText(posts, 'Tabs or spaces in 2026? Asking for a friend.');
    const answer = postWithText(posts, 'Whatever the formatter says. Next question.');
    expect(answer.isReply).toBe(true);
    expect(answer.replyToAuthor).toBe('kenji_dev');
    expect(answer.replyToCode).toBe(question.code);
    expect(posts.indexOf(answer)).toBe(posts.indexOf(question) + 1);

    const unavailable = posts.filter((post) => post.unavailable);
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]?.author?.username).toBe('quiet.account');

    const noCaption = posts.find((post) => post.text === null && !post.unavailable);
    expect(noCaption?.mediaType).toBe('image');
    expect(noCaption?.media).toHaveLength(1);

    postWithText(posts, 'First post here. Hello!');

    const updated = await eventsOfType('feed.updated');
    expect(updated.at(-1)).toEqual({ count: 11, fetchedAt: response.body.fetchedAt });
    const queued = await eventsOfType('job.queued');
    expect(queued.some((event) => event.jobId === jobId && event.name === 'feed')).toBe(true);
    const progress = (await eventsOfType('job.progress')).filter((event) => event.jobId === jobId);
    expect(progress.filter((event) => event.step === 'read graphql feed page')).toHaveLength(2);
  });

  it('stops at the limit', async () => {
    await refreshAndWait({ limit: 3 });
    const response = await api('GET', '/api/browser/feed');

    expect(response.body.posts).toHaveLength(3);
  });

  it('reads the default limit without a body', async () => {
    const { job } = await refreshAndWait();

    expect(job.result.count).toBe(11);
  });

  it('lets the agent token read the snapshot', async () => {
    const response = await agent('GET', '/api/browser/feed');

    expect(response.status).toBe(200);
    expect(response.body.posts.length).toBeGreaterThan(0);
  });

  // Last in the file: the login wall leaves the worker waiting for a person.
  it('keeps the snapshot when the session is gone', async () => {
    const before = (await api('GET', '/api/browser/feed')).body;
    site.setBehaviour({ requireLogin: true });

    const queued = await api('POST', '/api/browser/feed/refresh', { limit: 5 });
    expect(queued.status).toBe(202);
    const job = await waitFor(
      () => api('GET', `/api/jobs/${queued.body.jobId}`),
      (answer) => ['completed', 'failed'].includes(answer.body?.state),
      { what: 'the feed job to fail', timeoutMs: 45_000 },
    );

    expect(job.body.state).toBe('failed');
    expect(job.body.error).toMatch(/login/);
    const after = await api('GET', '/api/browser/feed');
    expect(after.body).toEqual(before);
  });
});
