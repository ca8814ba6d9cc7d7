import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Page } from 'playwright';
import type { ArtifactStore } from '../shared/artifacts.js';
import type { Config } from '../shared/config.js';
import type { DraftStore } from '../shared/draft-store.js';
import type { EventWriter } from '../shared/events.js';
import { type JobName, jobNameSchema, jobPayloadSchemas } from '../shared/jobs.js';
import type { Logger } from '../shared/logger.js';
import { type BrowserQueue, bullPrefix } from '../shared/queue.js';
import type { BrowserSession } from './browser.js';
import type { JobContext, JobHandler, JobHandlers, JobResult } from './jobs/context.js';
import type { Quota } from './quota.js';
import { SiteError, type ThreadsAdapter } from './sites/threads/adapter.js';

export interface RunnerDeps {
  config: Config;
  logger: Logger;
  connection: Redis;
  session: BrowserSession;
  adapter: ThreadsAdapter;
  store: DraftStore;
  queue: BrowserQueue;
  events: EventWriter;
  artifacts: ArtifactStore;
  quota: Quota;
  handlers: JobHandlers;
  /** Called with the job id when a job starts and with null when it ends. */
  onCurrentJob?: (jobId: string | null) => void;
}

/** A draft id carried by the payload, for events; null for jobs that have none. */
function draftIdOf(data: unknown): string | null {
  const id = (data as { draftId?: unknown } | null)?.draftId;
  return typeof id === 'string' ? id : null;
}

/** Builds the BullMQ worker with concurrency 1: the browser does one thing at a time. */
export function createRunner(deps: RunnerDeps): Worker {
  let username: string | null = null;

  const processor = async (job: Job): Promise<JobResult> => {
    const jobId = job.id ?? '';
    const logger = deps.logger.child({ jobId, job: job.name, attempt: job.attemptsMade + 1 });
    const nameCheck = jobNameSchema.safeParse(job.name);
    if (!nameCheck.success) {
      throw new UnrecoverableError(`unknown job name ${JSON.stringify(job.name)}`);
    }
    const name: JobName = nameCheck.data;
    const payload = jobPayloadSchemas[name].safeParse(job.data);
    if (!payload.success) {
      throw new UnrecoverableError(
        `invalid ${name} payload: ${payload.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }

    const draftId = draftIdOf(job.data);
    deps.onCurrentJob?.(jobId);
    await deps.events.append({
      type: 'job.active',
      data: { jobId, name, draftId, attempt: job.attemptsMade + 1 },
    });
    logger.info('job started');

    const page = await deps.session.newPage();
    const context: JobContext = {
      job,
      page,
      logger,
      config: deps.config,
      session: deps.session,
      adapter: deps.adapter,
      store: deps.store,
      queue: deps.queue,
      events: deps.events,
      artifacts: deps.artifacts,
      quota: deps.quota,
      progress: async (step, status, extra = {}) => {
        await job.updateProgress({ step, status });
        await deps.events.append({
          type: 'job.progress',
          data: {
            jobId,
            name,
            draftId,
            step,
            status,
            index: extra.index ?? null,
            durationMs: extra.durationMs ?? null,
            artifact: extra.artifact ?? null,
          },
        });
      },
      username: async () => {
        if (username) return username;
        const login = await deps.adapter.checkLogin(page);
        if (!login.loggedIn) {
          throw new SiteError(login.reason === 'unknown_page' ? 'selector_missing' : login.reason, `not logged in to Threads (${login.reason})`);
        }
        username = login.username;
        return username;
      },
      isLastAttempt: () => job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    };

    try {
      const handler = deps.handlers[name] as JobHandler<JobName>;
      const result = await withDeadline(
        handler(context, payload.data),
        deps.config.JOB_DEADLINE_MS,
        `${name} job`,
      );
      logger.info('job completed');
      return result;
    } finally {
      deps.onCurrentJob?.(null);
      await closePage(page, logger);
    }
  };

  const worker = new Worker(deps.config.QUEUE_NAME, processor, {
    connection: deps.connection,
    prefix: bullPrefix(deps.config.QUEUE_NAME),
    concurrency: 1,
    autorun: false,
    lockDuration: deps.config.WORKER_LOCK_MS,
    stalledInterval: deps.config.WORKER_LOCK_MS,
    maxStalledCount: 1,
  });

  worker.on('completed', (job, result: JobResult) => {
    const jobId = job.id ?? '';
    void deps.events
      .append({
        type: 'job.completed',
        data: { jobId, name: job.name as JobName, draftId: draftIdOf(job.data), result: summarize(result) },
      })
      .catch((error: unknown) => deps.logger.error({ err: error, jobId }, 'appending job.completed failed'));
  });

  worker.on('failed', (job, error) => {
    if (!job) return;
    const jobId = job.id ?? '';
    const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    deps.logger.warn({ err: error, jobId, job: job.name, willRetry }, 'job failed');
    void deps.events
      .append({
        type: 'job.failed',
        data: {
          jobId,
          name: job.name as JobName,
          draftId: draftIdOf(job.data),
          error: error.message.slice(0, 500),
          willRetry,
        },
      })
      .catch((appendError: unknown) =>
        deps.logger.error({ err: appendError, jobId }, 'appending job.failed failed'),
      );
  });

  worker.on('error', (error) => deps.logger.error({ err: error }, 'worker error'));
  return worker;
}

/** Keeps results small in events: scalars only, never screenshot bytes or page text. */
function summarize(result: JobResult): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(result ?? {}).filter(
      ([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value),
    ),
  );
}

/** Rejects when `work` has not settled within `ms`; BullMQ itself has no job timeout. */
async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} passed its deadline of ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function closePage(page: Page, logger: Logger): Promise<void> {
  try {
    await withDeadline(page.close(), 5_000, 'closing the page');
  } catch (error) {
    logger.warn({ err: error }, 'closing the page failed');
  }
}
