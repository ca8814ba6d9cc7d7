import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfileProcesses } from '../worker/browser.js';
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

const JOBS = 300;
const SAMPLE_EVERY = 50;

let stack: SiteStack;
let redis: TestRedis;
let site: TestSite;
let worker: WorkerProcess;
let profile: ReturnType<typeof temporaryProfileDir>;
let api: ReturnType<typeof apiClient>;

/** Resident memory of one process in KiB, 0 when it has exited. */
function rssKib(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  stack = await startSiteStack();
  ({ redis, site, api, profile } = stack);
  // Recycling is off here, so the samples show whether closed pages give their memory back.
  worker = startWorkerProcess(
    workerEnv(redis.url, site.url, profile.path, { BROWSER_RECYCLE_JOBS: '100000' }),
  );
  await waitForLoggedInWorker(api);
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

describe('soak', () => {
  it(`keeps memory level over ${JOBS} action jobs`, async () => {
    const samples: Array<{ jobs: number; workerMib: number; chromiumMib: number }> = [];
    const sample = (jobs: number) => {
      const chromium = findProfileProcesses(profile.path).reduce((sum, pid) => sum + rssKib(pid), 0);
      samples.push({
        jobs,
        workerMib: Math.round(rssKib(worker.child.pid ?? 0) / 1024),
        chromiumMib: Math.round(chromium / 1024),
      });
    };
    sample(0);

    for (let index = 1; index <= JOBS; index++) {
      const queued = await api('POST', '/api/browser/actions', {
        steps: [
          { type: 'navigate', url: `${site.url}/?visit=${index}` },
          { type: 'wait', target: { css: 'div[data-pressable-container="true"]' } },
          { type: 'extract', target: { text: "What's new?" } },
        ],
      });
      expect(queued.status).toBe(202);
      const job = await waitFor(
        () => api('GET', `/api/jobs/${queued.body.jobId}`),
        (answer) => ['completed', 'failed'].includes(answer.body.state),
        { what: `job ${index}`, intervalMs: 20 },
      );
      expect(job.body.state, job.body.error).toBe('completed');
      if (index % SAMPLE_EVERY === 0) sample(index);
    }

    console.log(`soak samples (RSS in MiB): ${JSON.stringify(samples)}`);
    const early = samples.find((entry) => entry.jobs === 100);
    const last = samples.at(-1);
    expect(early).toBeDefined();
    expect(last).toBeDefined();
    if (!early || !last) return;
    expect(last.workerMib).toBeLessThan(early.workerMib * 1.5);
    expect(last.chromiumMib).toBeLessThan(early.chromiumMib * 1.5);
  }, 600_000);
});
