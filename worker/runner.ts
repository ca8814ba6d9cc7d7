import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Page } from 'playwright';
import { hasSideEffects } from '../shared/actions.js';
import { type JobName, type JobPayloads, jobNameSchema, jobPayloadSchemas } from '../shared/jobs.js';
import type { Logger } from '../shared/logger.js';
import { bullPrefix } from '../shared/queue.js';
import type { JobContext, JobHandler, JobHandlers, JobResult } from './jobs/context.js';
import type { QuotaKind } from './quota.js';
import { settleAfterFinalFailure } from './settle.js';
import { SiteError } from './sites/threads/adapter.js';

/** The shared parts of every job context, plus what only the runner uses. */
export type RunnerDeps = Pick<
  JobContext,
  | 'config'
  | 'logger'
  | 'keys'
  | 'session'
  | 'adapter'
  | 'store'
  | 'queue'
  | 'events'
  | 'artifacts'
  | 'quota'
  | 'gate'
  | 'urlGuard'
  | 'setNeedsHuman'
  | 'releaseHeld'
> & {
  /** The blocking connection of the BullMQ worker. */
  connection: Redis;
  /** The connection for commands, shared with the handlers. */
  commands: Redis;
  handlers: JobHandlers;
  /** Worker state that the heartbeat reports. */
  state: { currentJob: string | null; loggedIn: boolean | null };
};

/** Codes of SiteError that only a person can clear. */
const needsHumanCodes = new Set(['login_required', 'checkpoint', 'action_blocked']);

function draftIdOf(data: unknown): string | null {
  const id = (data as { draftId?: unknown } | null)?.draftId;
  return typeof id === 'string' ? id : null;
}

/** Returns the kind of side effect a job has, or null for a job that only reads. */
async function sideEffectOf(
  deps: RunnerDeps,
  name: JobName,
  payload: JobPayloads[JobName],
): Promise<QuotaKind | 'like' | null> {
  if (name === 'publish') {
    const draft = await deps.store.get((payload as JobPayloads['publish']).draftId);
    // A run that only settles an earlier click posts nothing, so pause, caps and spacing do not apply.
    if (!draft || draft.status === 'publishing' || draft.status === 'unconfirmed') return null;
    return draft.replyTo ? 'replies' : 'posts';
  }
  if (name === 'actions' && hasSideEffects((payload as JobPayloads['actions']).steps)) return 'like';
  return null;
}

/** Builds the BullMQ worker with concurrency 1: the browser does one thing at a time. */
export function createRunner(deps: RunnerDeps): Worker {
  let username: string | null = null;
  let jobsSinceLaunch = 0;

  async function hold(
    job: Job,
    token: string | undefined,
    untilMs: number,
    reason: string,
    release: boolean,
  ): Promise<never> {
    const jobId = job.id ?? '';
    deps.logger.info({ jobId, until: new Date(untilMs).toISOString(), reason }, 'job held');
    await job.moveToDelayed(untilMs, token);
    if (release) await deps.commands.sadd(deps.keys.heldJobs, jobId);
    await deps.events.append({
      type: 'job.progress',
      data: {
        jobId,
        name: job.name as JobName,
        draftId: draftIdOf(job.data),
        step: `held: ${reason}`,
        index: null,
        status: 'started',
        durationMs: null,
        artifact: null,
      },
    });
    throw new DelayedError();
  }

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    const jobId = job.id ?? '';
    const logger = deps.logger.child({ jobId, job: job.name, attempt: job.attemptsMade + 1 });
    const nameCheck = jobNameSchema.safeParse(job.name);
    if (!nameCheck.success) throw new UnrecoverableError(`unknown job name ${JSON.stringify(job.name)}`);
    const name: JobName = nameCheck.data;
    const payload = jobPayloadSchemas[name].safeParse(job.data);
    if (!payload.success) {
      const issues = payload.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      throw new UnrecoverableError(`invalid ${name} payload: ${issues}`);
    }

    const sideEffect = await sideEffectOf(deps, name, payload.data);
    if (sideEffect) {
      const decision = await deps.gate.check(sideEffect);
      if (decision.hold) {
        const release =
          decision.reason.startsWith('the worker is paused') ||
          decision.reason.startsWith('waiting for a person');
        await hold(job, token, decision.untilMs, decision.reason, release);
      }
    }

    const draftId = draftIdOf(job.data);
    deps.state.currentJob = jobId;
    await deps.events.append({
      type: 'job.active',
      data: { jobId, name, draftId, attempt: job.attemptsMade + 1 },
    });
    logger.info('job started');

    const page = await deps.session.newPage();
    let crashed = false;
    page.on('crash', () => {
      crashed = true;
      logger.error('the page crashed');
    });
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
      gate: deps.gate,
      urlGuard: deps.urlGuard,
      keys: deps.keys,
      redisCommands: deps.commands,
      setLoggedIn: (loggedIn) => {
        deps.state.loggedIn = loggedIn;
      },
      setNeedsHuman: deps.setNeedsHuman,
      releaseHeld: deps.releaseHeld,
      progress: async (step, status, extra = {}) => {
        await job.updateProgress({ step, status, index: extra.index ?? null });
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
          throw new SiteError(
            login.reason === 'unknown_page' ? 'selector_missing' : login.reason,
            `not logged in to Threads (${login.reason})`,
          );
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
      if (sideEffect) await deps.gate.recordSideEffect();
      logger.info('job completed');
      return result;
    } catch (error) {
      if (error instanceof SiteError && needsHumanCodes.has(error.code)) {
        deps.state.loggedIn = error.code === 'action_blocked' ? deps.state.loggedIn : false;
        username = null;
        await deps.setNeedsHuman(error.code);
        if (sideEffect || name === 'verify') {
          await hold(
            job,
            token,
            Date.now() + deps.config.HOLD_RECHECK_MS,
            `waiting for a person: ${error.code}`,
            true,
          );
        }
        throw new UnrecoverableError(error.message);
      }
      if (crashed || !deps.session.isUp) {
        throw new Error(
          `the browser or its page crashed during the job: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      deps.state.currentJob = null;
      await afterJob(page, logger);
    }
  };

  /** Closes the job's page; a hung close, a crash or the recycle count relaunches the browser. */
  async function afterJob(page: Page, logger: Logger): Promise<void> {
    jobsSinceLaunch++;
    let relaunch: string | null = deps.session.isUp ? null : 'the browser was down after the job';
    try {
      await withDeadline(page.close(), 5_000, 'closing the page');
    } catch (error) {
      logger.warn({ err: error }, 'closing the page failed');
      relaunch ??= 'closing the page hung';
    }
    if (!relaunch && jobsSinceLaunch >= deps.config.BROWSER_RECYCLE_JOBS)
      relaunch = `recycling after ${jobsSinceLaunch} jobs`;
    if (relaunch) {
      jobsSinceLaunch = 0;
      await deps.session.relaunch(relaunch);
    }
  }

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
    if (!willRetry) {
      void settleAfterFinalFailure(deps, job, error.message.slice(0, 300)).catch((settleError: unknown) =>
        deps.logger.error({ err: settleError, jobId }, 'settling the draft of a failed job failed'),
      );
    }
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
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
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
