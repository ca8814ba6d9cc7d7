import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import { findProfileProcesses } from '../worker/browser.js';
import { AGENT_TOKEN, apiClient } from './helpers/gateway.js';
import type { TestRedis } from './helpers/redis.js';
import { type SiteStack, startSiteStack, waitForLoggedInWorker } from './helpers/stack.js';
import { waitFor } from './helpers/wait.js';
import {
  startWorkerProcess,
  temporaryProfileDir,
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
let outsider: Server;
let outsiderHits = 0;
let outsiderUrl = '';

const workerSettings = { STEP_TIMEOUT_MS: '4000', JOB_DEADLINE_MS: '30000', HOLD_RECHECK_MS: '1500' };

function startWorker(): WorkerProcess {
  return startWorkerProcess(workerEnv(redis.url, site.url, profile.path, workerSettings));
}

async function status() {
  return (await api('GET', '/api/browser/status')).body;
}

async function runActions(steps: unknown[]) {
  const queued = await api('POST', '/api/browser/actions', { steps });
  expect(queued.status, JSON.stringify(queued.body)).toBe(202);
  return queued.body.jobId as string;
}

async function settledJob(jobId: string, timeoutMs = 60_000) {
  try {
    const answer = await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (response) => ['completed', 'failed'].includes(response.body?.state),
      { what: `job ${jobId} to settle`, timeoutMs },
    );
    return answer.body;
  } catch (error) {
    throw new Error(`${String(error)}\nworker output:\n${worker.output().slice(-3000)}`);
  }
}

/**
 * Queues a job that waits 3 s on the home page, and returns once it has run for about a second,
 * so a test can break the browser in the middle of it.
 */
async function startSlowJob(): Promise<string> {
  const jobId = await runActions([
    { type: 'navigate', url: site.url },
    { type: 'wait', ms: 3_000 },
    { type: 'extract', target: { text: "What's new?" } },
  ]);
  await waitFor(
    () => api('GET', `/api/jobs/${jobId}`),
    (answer) => answer.body.state === 'active',
    { what: 'the job to start' },
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return jobId;
}

/**
 * Exited Chromium processes that the worker process has not reaped. Orphans that the system's init
 * process must reap are not counted: in a container, `init: true` takes care of those.
 */
function zombieCount(): number {
  const out = execFileSync('ps', ['-eo', 'stat=,ppid=,args=']).toString();
  const workerPid = String(worker.child.pid);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([stat, ppid]) => stat?.startsWith('Z') && ppid === workerPid).length;
}

/** Renderer processes descended from the given browser processes, found through /proc. */
function rendererProcesses(roots: number[]): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the fourth field, after the command name in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process exited during the scan.
    }
  }
  const descends = (pid: number): boolean => {
    for (
      let current = parents.get(pid);
      current !== undefined && current > 1;
      current = parents.get(current)
    ) {
      if (roots.includes(current)) return true;
    }
    return false;
  };
  return [...parents.keys()].filter((pid) => {
    try {
      return descends(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

/** The permalink of the first post of the site's home feed, read with an extract step. */
async function feedPostUrl(): Promise<string> {
  const job = await settledJob(
    await runActions([
      { type: 'navigate', url: site.url },
      {
        type: 'extract',
        target: { css: 'div[data-pressable-container="true"] a[href*="/post/"]' },
        attribute: 'href',
      },
    ]),
  );
  expect(job.state).toBe('completed');
  return new URL(job.result.results[1].value, site.url).toString();
}

beforeAll(async () => {
  stack = await startSiteStack();
  ({ redis, site, gateway, api, profile } = stack);
  outsider = createServer((_request, response) => {
    outsiderHits++;
    response.end('outside the allowlist');
  });
  await new Promise<void>((resolve) => outsider.listen(0, '127.0.0.2', resolve));
  const address = outsider.address();
  outsiderUrl = `http://127.0.0.2:${typeof address === 'object' && address ? address.port : 0}/`;

  worker = startWorker();
  await waitForLoggedInWorker(api);
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => outsider?.close(resolve));
  await stack?.stop();
});

beforeEach(() => {
  site.reset();
});

describe('browser actions', () => {
  it('runs every step type and returns one result each', async () => {
    const jobId = await runActions([
      { type: 'navigate', url: `${site.url}/login` },
      { type: 'wait', target: { css: 'input[type="password"]' } },
      { type: 'fill', target: { css: 'input[name="username"]' }, value: 'someone' },
      { type: 'press', key: 'Tab', target: { css: 'input[name="username"]' } },
      { type: 'extract', target: { css: 'input[name="username"]' }, attribute: 'name' },
      { type: 'navigate', url: site.url },
      { type: 'wait', target: { role: 'button', name: "What's new?" } },
      { type: 'extract', target: { text: "What's new?" } },
      { type: 'click', target: { role: 'button', name: "What's new?" } },
      { type: 'wait', target: { css: '[role="dialog"]' } },
      { type: 'press', key: 'Escape' },
      { type: 'scroll', to: 'bottom' },
      { type: 'scroll', by: -200 },
      { type: 'wait', ms: 50 },
      { type: 'screenshot' },
    ]);
    const job = await settledJob(jobId);

    expect(job.state).toBe('completed');
    const results = job.result.results;
    expect(results).toHaveLength(15);
    expect(results.every((result: { status: string }) => result.status === 'succeeded')).toBe(true);
    expect(results[4].value).toBe('username');
    expect(results[7].value).toBe("What's new?");
    expect(results[14].artifact.url).toBe(`/api/jobs/${jobId}/artifacts/step-14.png`);

    const png = await fetch(`${gateway.url}${results[14].artifact.url}`, {
      headers: { authorization: 'Bearer approver-token-for-tests-0001' },
    });
    expect(png.status).toBe(200);
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(1, 4)].map((byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
  });

  it('fails on a missing target and skips the rest', async () => {
    const jobId = await runActions([
      { type: 'navigate', url: site.url },
      { type: 'click', target: { testId: 'no-such-element' } },
      { type: 'screenshot' },
    ]);
    const job = await settledJob(jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/step 1 \(click\) failed/);
    expect(job.attempts).toBe(1);
    expect(job.progress.results.map((result: { status: string }) => result.status)).toEqual([
      'succeeded',
      'failed',
      'skipped',
    ]);
  });

  it('likes a post once however often it is asked', async () => {
    const postUrl = await feedPostUrl();
    const first = await settledJob(await runActions([{ type: 'like', postUrl }]));
    const second = await settledJob(await runActions([{ type: 'like', postUrl }]));

    expect(first.state).toBe('completed');
    expect(first.result.results[0].value).toEqual({ liked: true, changed: true });
    expect(second.result.results[0].value).toEqual({ liked: true, changed: false });
    expect(site.likes.filter((like) => like.action === 'like')).toHaveLength(1);
    expect(site.likes.filter((like) => like.action === 'unlike')).toHaveLength(0);
  });

  it('cancels a job that has not started', async () => {
    await api('POST', '/api/worker/pause');
    const postUrl = await feedPostUrl();
    const jobId = await runActions([{ type: 'like', postUrl }]);
    await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (answer) => answer.body.state === 'delayed',
      { what: 'the like to be held' },
    );
    expect(site.likes).toHaveLength(0);

    const cancelled = await api('DELETE', `/api/jobs/${jobId}`);
    expect(cancelled.status).toBe(200);
    expect((await api('GET', `/api/jobs/${jobId}`)).status).toBe(404);
    await api('POST', '/api/worker/resume');

    const done = await settledJob(await runActions([{ type: 'navigate', url: site.url }]));
    expect((await api('DELETE', `/api/jobs/${done.id}`)).status).toBe(409);
    expect(site.likes).toHaveLength(0);
  });

  it('holds likes while paused and runs them on resume', async () => {
    const paused = await api('POST', '/api/worker/pause');
    expect(paused.body.paused).toBe(true);
    const postUrl = await feedPostUrl();
    const jobId = await runActions([{ type: 'like', postUrl }]);
    await waitFor(
      () => api('GET', `/api/jobs/${jobId}`),
      (answer) => answer.body.state === 'delayed',
      { what: 'the like to be held' },
    );

    const read = await settledJob(await runActions([{ type: 'navigate', url: site.url }]));
    expect(read.state).toBe('completed');
    expect(site.likes).toHaveLength(0);

    const resumed = await api('POST', '/api/worker/resume');
    expect(resumed.body.paused).toBe(false);
    expect((await settledJob(jobId)).state).toBe('completed');
    expect(site.likes).toHaveLength(1);
  });
});

describe('URL policy', () => {
  const refused = [
    'file:///etc/passwd',
    'chrome://settings',
    'data:text/html,<script>alert(1)</script>',
    'javascript:alert(1)',
    'ftp://127.0.0.1/file',
    'http://127.0.0.2/',
    'http://[::1]/',
    'http://localhost/',
    'not a url',
  ];

  for (const url of refused) {
    it(`refuses ${url.slice(0, 30)} before queueing`, async () => {
      const before = await api('GET', '/api/browser/status');
      const response = await api('POST', '/api/browser/actions', { steps: [{ type: 'navigate', url }] });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('url_not_allowed');
      expect(response.body.error.message.length).toBeGreaterThan(10);
      expect(before.status).toBe(200);
    });
  }

  it('refuses another port of an allowed host', async () => {
    const other = new URL(site.url);
    other.port = String(Number(other.port) + 1);
    const response = await api('POST', '/api/browser/actions', {
      steps: [{ type: 'like', postUrl: `${other.origin}/@a/post/b` }],
    });
    expect(response.status).toBe(422);
    expect(response.body.error.message).toBe(
      `port ${other.port} of 127.0.0.1 is not on the allowlist (ALLOWED_HOSTS names other ports of this host)`,
    );
  });

  it('fails the step when a redirect leaves the allowlist', async () => {
    const jobId = await runActions([
      { type: 'navigate', url: `${site.url}/__site/redirect?to=${encodeURIComponent(outsiderUrl)}` },
    ]);
    const job = await settledJob(jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/127\.0\.0\.2/);
    expect(job.attempts).toBe(1);
    expect(outsiderHits).toBe(0);
  });

  it('rejects invalid steps with field paths', async () => {
    const cases: unknown[] = [
      { steps: [] },
      { steps: Array(51).fill({ type: 'wait', ms: 1 }) },
      { steps: [{ type: 'teleport' }] },
      { steps: [{ type: 'click', target: { xpath: '//a' } }] },
      { steps: [{ type: 'wait', ms: 60_000 }] },
      { steps: [{ type: 'scroll', by: 10, to: 'top' }] },
      { steps: [{ type: 'fill', target: { css: 'a' }, value: 'x'.repeat(5_001) }] },
      { steps: [{ type: 'press', key: 'Enter; rm -rf /' }] },
    ];
    for (const body of cases) {
      const response = await api('POST', '/api/browser/actions', body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(Array.isArray(response.body.error.details)).toBe(true);
    }
  });
});

describe('scopes', () => {
  it('refuses the agent token on actions, session import, pause and cancel', async () => {
    const agent = apiClient(gateway.url, AGENT_TOKEN);
    expect((await agent('POST', '/api/browser/actions', { steps: [{ type: 'wait', ms: 1 }] })).status).toBe(
      403,
    );
    expect((await agent('PUT', '/api/browser/session', { cookies: [], origins: [] })).status).toBe(403);
    expect((await agent('POST', '/api/worker/pause')).status).toBe(403);
    expect((await agent('POST', '/api/worker/resume')).status).toBe(403);
    expect((await agent('DELETE', '/api/jobs/some-job')).status).toBe(403);
    expect((await agent('GET', '/api/browser/status')).status).toBe(200);
  });

  it('rejects an invalid storage state', async () => {
    expect((await api('PUT', '/api/browser/session', { cookies: 'yes' })).status).toBe(400);
    expect((await api('PUT', '/api/browser/session', { cookies: [{ name: 'a' }], origins: [] })).status).toBe(
      400,
    );
    const huge = { cookies: [{ name: 'a', value: 'x'.repeat(1_100_000), domain: 'b' }], origins: [] };
    expect((await api('PUT', '/api/browser/session', huge)).status).toBe(413);
  });
});

describe('resilience', () => {
  it('fails a page that never loads and runs the next job', async () => {
    const hanging = await settledJob(
      await runActions([{ type: 'navigate', url: `${site.url}/__site/never-loads` }]),
    );
    expect(hanging.state).toBe('failed');
    expect(hanging.error).toMatch(/timed out|Timeout/i);

    const next = await settledJob(await runActions([{ type: 'navigate', url: site.url }]));
    expect(next.state).toBe('completed');
  });

  it('fails a page whose script never ends and runs the next job', async () => {
    const looping = await settledJob(
      await runActions([
        { type: 'navigate', url: `${site.url}/__site/busy-loop` },
        { type: 'extract', target: { css: 'body' } },
      ]),
    );
    expect(looping.state).toBe('failed');

    const next = await settledJob(await runActions([{ type: 'navigate', url: site.url }]));
    expect(next.state).toBe('completed');
    expect(zombieCount()).toBe(0);
  });

  it('relaunches a browser killed while idle', async () => {
    const before = findProfileProcesses(profile.path);
    expect(before.length).toBeGreaterThan(0);
    for (const pid of before) process.kill(pid, 'SIGKILL');
    await waitFor(status, (body) => body.browserUp === false || body.workerUp === true, {
      what: 'the status',
    });

    const job = await settledJob(await runActions([{ type: 'navigate', url: site.url }]));
    expect(job.state).toBe('completed');
    await waitFor(status, (body) => body.browserUp === true, { what: 'the browser to be up' });
    expect(findProfileProcesses(profile.path).some((pid) => before.includes(pid))).toBe(false);
    expect(zombieCount()).toBe(0);
  });

  it('retries a job whose browser was killed mid-job', async () => {
    const jobId = await startSlowJob();
    for (const pid of findProfileProcesses(profile.path)) process.kill(pid, 'SIGKILL');

    const job = await settledJob(jobId, 90_000);
    expect(job.state).toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    expect(job.result.results[2].value).toBe("What's new?");
    expect(zombieCount()).toBe(0);
  }, 120_000);
});

describe('page crash', () => {
  it('fails and retries a job whose page crashed', async () => {
    const jobId = await startSlowJob();

    // Killing the renderer processes crashes the pages but leaves the browser process running.
    const renderers = rendererProcesses(findProfileProcesses(profile.path));
    expect(renderers.length).toBeGreaterThan(0);
    for (const pid of renderers) process.kill(pid, 'SIGKILL');

    const job = await settledJob(jobId, 90_000);
    expect(job.state).toBe('completed');
    expect(job.result.results[2].value).toBe("What's new?");
    expect(worker.output()).toMatch(/the page crashed/);
  }, 120_000);
});

describe('session', () => {
  it('holds a publish behind a login wall until a session import', async () => {
    site.setBehaviour({ requireLogin: true });
    await worker.stop();
    const freshProfile = temporaryProfileDir();
    worker = startWorkerProcess(workerEnv(redis.url, site.url, freshProfile.path, workerSettings));
    try {
      await waitFor(status, (body) => body.workerUp && body.loggedIn === false && body.needsHuman === true, {
        what: 'the worker to need a person',
        timeoutMs: 45_000,
      });

      const created = await api('POST', '/api/drafts', { content: `Behind the login wall ${Date.now()}` });
      const approved = await api('POST', `/api/drafts/${created.body.id}/approve`);
      await waitFor(
        () => api('GET', `/api/jobs/${approved.body.jobId}`),
        (answer) => answer.body.state === 'delayed',
        {
          what: 'the publish to be held',
        },
      );
      expect((await api('GET', `/api/drafts/${created.body.id}`)).body.status).toBe('approved');
      expect(site.submits).toHaveLength(0);

      const host = new URL(site.url).hostname;
      const imported = await api('PUT', '/api/browser/session', {
        cookies: [
          {
            name: site.sessionCookie.name,
            value: site.sessionCookie.value,
            domain: host,
            path: '/',
            expires: -1,
            httpOnly: true,
            secure: false,
            sameSite: 'Lax',
          },
        ],
        origins: [],
      });
      expect(imported.status).toBe(202);
      const sessionJob = await settledJob(imported.body.jobId);
      expect(sessionJob.result.loggedIn).toBe(true);
      expect(worker.output()).not.toContain(site.sessionCookie.value);

      const draft = await waitFor(
        () => api('GET', `/api/drafts/${created.body.id}`),
        (answer) => ['published', 'failed'].includes(answer.body.status),
        { what: 'the held draft to publish', timeoutMs: 45_000 },
      );
      expect(draft.body.status).toBe('published');
      expect(site.posts).toHaveLength(1);
      expect(site.submits).toHaveLength(1);
      expect((await status()).needsHuman).toBe(false);
    } finally {
      site.setBehaviour({ requireLogin: false });
      await worker.stop();
      freshProfile.remove();
      worker = startWorker();
    }
  }, 150_000);
});
