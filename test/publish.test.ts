import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import type { apiClient } from './helpers/gateway.js';
import type { TestRedis } from './helpers/redis.js';
import { type SiteStack, startSiteStack } from './helpers/stack.js';
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
let gateway: GatewayServer;
let worker: WorkerProcess;
let profile: ReturnType<typeof temporaryProfileDir>;
let api: ReturnType<typeof apiClient>;

function startWorker(): WorkerProcess {
  return startWorkerProcess(workerEnv(redis.url, site.url, profile.path));
}

async function waitForWorker(): Promise<void> {
  await waitFor(
    async () => (await api('GET', '/api/browser/status')).body,
    (status) => status.workerUp === true && status.loggedIn === true,
    { what: 'the worker heartbeat', timeoutMs: 45_000 },
  );
}

async function createAndApprove(content: string, approveBody?: unknown) {
  const created = await api('POST', '/api/drafts', { content });
  expect(created.status).toBe(201);
  const approved = await api('POST', `/api/drafts/${created.body.id}/approve`, approveBody);
  expect(approved.status).toBe(202);
  return { id: created.body.id as string, jobId: approved.body.jobId as string };
}

async function waitForStatus(id: string, statuses: string[], timeoutMs = 45_000) {
  try {
    const response = await waitFor(
      () => api('GET', `/api/drafts/${id}`),
      (answer) => statuses.includes(answer.body?.status),
      { what: `draft ${id} to reach ${statuses.join(' or ')}`, timeoutMs },
    );
    return response.body;
  } catch (error) {
    throw new Error(`${String(error)}\nworker output:\n${worker.output().slice(-4000)}`);
  }
}

/** Chromium processes started on this test's profile folder. */
function chromiumOnProfile(): number {
  try {
    return execFileSync('pgrep', ['-f', `user-data-dir=${profile.path}`])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  stack = await startSiteStack();
  ({ redis, site, gateway, api, profile } = stack);
  worker = startWorker();
  await waitForWorker();
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

beforeEach(() => {
  site.reset();
});

describe('publish', () => {
  it('posts an approved draft once and returns its URL', async () => {
    const content = 'Hello from threads-agent\nsecond line with ünïcödé and 🚀';
    const { id, jobId } = await createAndApprove(content);
    const draft = await waitForStatus(id, ['published', 'failed', 'unconfirmed']);

    expect(draft.status).toBe('published');
    expect(site.posts).toHaveLength(1);
    expect(site.submits).toHaveLength(1);
    expect(site.posts[0]?.text).toBe(content);
    expect(draft.postUrl).toBe(site.posts[0]?.url);
    expect(Date.parse(draft.publishedAt)).toBeGreaterThan(0);
    expect(
      draft.attempts.map((entry: { phase: string; outcome: string }) => `${entry.phase}:${entry.outcome}`),
    ).toEqual(['prepare:started', 'prepare:succeeded', 'commit:started', 'verify:succeeded']);

    // The draft is marked published just before the handler returns, so the job may still be active.
    const job = await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (answer) => answer.body.state !== 'active',
      { what: 'the job to finish' },
    );
    expect(job.body.state).toBe('completed');
    expect(job.body.result.postUrl).toBe(draft.postUrl);

    const screenshot = await fetch(`${gateway.url}/api/jobs/${jobId}/artifacts/composer.png`, {
      headers: { authorization: 'Bearer approver-token-for-tests-0001' },
    });
    expect(screenshot.status).toBe(200);
    expect(screenshot.headers.get('content-type')).toBe('image/png');
  });

  it('verifies by reading the profile back when no toast appears', async () => {
    site.setBehaviour({ noToast: true });
    const { id } = await createAndApprove(`No toast for this one ${Date.now()}`);
    const draft = await waitForStatus(id, ['published', 'failed', 'unconfirmed']);

    expect(draft.status).toBe('published');
    expect(site.posts).toHaveLength(1);
    expect(site.submits).toHaveLength(1);
    expect(draft.postUrl).toBe(site.posts[0]?.url);
  });

  it('fails with a readable error when the site refuses the submit', async () => {
    site.setBehaviour({ failSubmit: true });
    const { id, jobId } = await createAndApprove(`This submit fails ${Date.now()}`);
    const draft = await waitForStatus(id, ['published', 'failed', 'unconfirmed']);

    expect(draft.status).toBe('failed');
    expect(draft.error).toMatch(/refused the post/);
    const job = await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (answer) => answer.body.state === 'failed',
      { what: 'the job to fail' },
    );
    expect(job.body.error).toMatch(/refused the post/);
    expect(site.submits).toHaveLength(1);
    expect(site.posts).toHaveLength(0);
  });

  it('refuses content whose hash differs from the approval', async () => {
    const publishAt = new Date(Date.now() + 2_500).toISOString();
    const { id } = await createAndApprove(`Approved text ${Date.now()}`, { publishAt });

    const client = redis.client();
    const key = `browser:draft:${id}`;
    const stored = JSON.parse((await client.hget(key, 'json')) ?? '{}');
    stored.content = 'text swapped behind the approval';
    await client.hset(key, 'json', JSON.stringify(stored));
    client.disconnect();

    const draft = await waitForStatus(id, ['published', 'failed', 'unconfirmed']);
    expect(draft.status).toBe('failed');
    expect(draft.error).toMatch(/differs from what was approved/);
    expect(site.submits).toHaveLength(0);
  });

  it('never posts twice when the worker is killed after the click', async () => {
    site.setBehaviour({ submitDelayMs: 3_000 });
    const content = `Killed right after the click ${Date.now()}`;
    const { id } = await createAndApprove(content);

    await waitFor(
      () => site.submits.length,
      (count) => count === 1,
      { what: 'the submit', timeoutMs: 45_000 },
    );
    await worker.kill();
    await waitFor(
      () => site.posts.length,
      (count) => count === 1,
      { what: 'the delayed post' },
    );
    await waitFor(chromiumOnProfile, (count) => count === 0, {
      what: 'Chromium to exit with the worker',
      timeoutMs: 15_000,
    });
    site.setBehaviour({ submitDelayMs: 0 });

    worker = startWorker();
    const draft = await waitForStatus(id, ['published', 'failed'], 60_000);
    expect(draft.status).toBe('published');
    expect(draft.postUrl).toBe(site.posts[0]?.url);
    expect(site.posts).toHaveLength(1);
    expect(site.submits).toHaveLength(1);
  }, 120_000);

  it('stops on SIGTERM with no Chromium left running', async () => {
    await waitForWorker();
    expect(chromiumOnProfile()).toBeGreaterThan(0);
    expect(await worker.stop()).toBe(0);
    expect(chromiumOnProfile()).toBe(0);

    const status = await api('GET', '/api/browser/status');
    expect(status.body.workerUp).toBe(false);
    worker = startWorker();
    await waitForWorker();
  });
});
