import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { apiClient } from './helpers/gateway.js';
import type { TestRedis } from './helpers/redis.js';
import { type SiteStack, startSiteStack, waitForLoggedInWorker } from './helpers/stack.js';
import { waitFor } from './helpers/wait.js';
import {
  startWorkerProcess,
  type temporaryProfileDir,
  type WorkerProcess,
  workerEnv,
} from './helpers/worker-process.js';
import type { TestSite } from './site/server.js';

let stack: SiteStack;
let redis: TestRedis;
let site: TestSite;
let worker: WorkerProcess;
let profile: ReturnType<typeof temporaryProfileDir>;
let api: ReturnType<typeof apiClient>;

async function publishDraft(body: Record<string, unknown>) {
  const created = await api('POST', '/api/drafts', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const approved = await api('POST', `/api/drafts/${created.body.id}/approve`);
  expect(approved.status).toBe(202);
  const draft = await waitFor(
    () => api('GET', `/api/drafts/${created.body.id}`),
    (answer) => ['published', 'failed'].includes(answer.body.status),
    { what: 'the draft to settle', timeoutMs: 45_000 },
  );
  return draft.body;
}

/** The permalink of the first post of the site's home feed. */
async function feedPostUrl(): Promise<string> {
  const queued = await api('POST', '/api/browser/actions', {
    steps: [
      { type: 'navigate', url: site.url },
      {
        type: 'extract',
        target: { css: 'div[data-pressable-container="true"] a[href*="/post/"]' },
        attribute: 'href',
      },
    ],
  });
  const job = await waitFor(
    () => api('GET', `/api/jobs/${queued.body.jobId}`),
    (answer) => ['completed', 'failed'].includes(answer.body.state),
    { what: 'the extract job' },
  );
  return new URL(job.body.result.results[1].value, site.url).toString();
}

beforeAll(async () => {
  stack = await startSiteStack();
  ({ redis, site, api, profile } = stack);
  worker = startWorkerProcess(workerEnv(redis.url, site.url, profile.path, { BROWSER_RECYCLE_JOBS: '3' }));
  await waitForLoggedInWorker(api);
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

beforeEach(() => {
  site.reset();
});

describe('replies', () => {
  it('posts a reply to the target and refuses a second one', async () => {
    const target = await feedPostUrl();
    const targetCode = target.split('/post/')[1];
    const reply = await publishDraft({ content: `A reply from the agent ${Date.now()}`, replyTo: target });

    expect(reply.status).toBe('published');
    expect(site.posts).toHaveLength(1);
    expect(site.posts[0]?.replyTo).toBe(targetCode);
    expect(reply.postUrl).toBe(site.posts[0]?.url);

    const second = await publishDraft({ content: `A second reply ${Date.now()}`, replyTo: target });
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/already replied/);
    expect(site.submits).toHaveLength(1);
  });

  it('refuses a reply to a post that is gone', async () => {
    const gone = `${site.url}/@someone/post/NoSuchCode123`;
    const reply = await publishDraft({ content: `Reply to nothing ${Date.now()}`, replyTo: gone });
    expect(reply.status).toBe('failed');
    expect(reply.error).toMatch(/gone/);
    expect(site.submits).toHaveLength(0);
  });

  it('answers 422 for a reply target off the allowlist', async () => {
    const response = await api('POST', '/api/drafts', {
      content: 'hi',
      replyTo: 'http://127.0.0.2/@a/post/abc',
    });
    expect(response.status).toBe(422);
    expect(response.body.error.details[0].path).toBe('replyTo');
  });
});

describe('needs a person', () => {
  it('enters needs_human on an action-blocked notice and leaves it on resume', async () => {
    const postUrl = await feedPostUrl();
    site.setBehaviour({ actionBlocked: true });
    const queued = await api('POST', '/api/browser/actions', { steps: [{ type: 'like', postUrl }] });
    const status = await waitFor(
      async () => (await api('GET', '/api/browser/status')).body,
      (body) => body.needsHuman === true,
      { what: 'needs_human', timeoutMs: 30_000 },
    );
    expect(status.needsHumanReason).toBe('action_blocked');
    const held = await api('GET', `/api/jobs/${queued.body.jobId}`);
    expect(held.body.state).toBe('delayed');

    site.setBehaviour({ actionBlocked: false });
    const resumed = await api('POST', '/api/worker/resume');
    expect(resumed.body.needsHuman).toBe(false);
    const job = await waitFor(
      () => api('GET', `/api/jobs/${queued.body.jobId}`),
      (answer) => ['completed', 'failed'].includes(answer.body.state),
      { what: 'the released like', timeoutMs: 30_000 },
    );
    expect(job.body.state).toBe('completed');
    expect(site.likes.filter((like) => like.outcome === 'ok')).toHaveLength(1);
  });

  it('recycles the browser after the configured number of jobs', async () => {
    for (let index = 0; index < 4; index++) await feedPostUrl();
    expect(worker.output()).toMatch(/recycling after 3 jobs/);
    const status = (await api('GET', '/api/browser/status')).body;
    expect(status.browserUp).toBe(true);
  });
});
