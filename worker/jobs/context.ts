import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Page } from 'playwright';
import type { ArtifactRef, ArtifactStore } from '../../shared/artifacts.js';
import type { Config } from '../../shared/config.js';
import type { DraftStore } from '../../shared/draft-store.js';
import type { EventWriter } from '../../shared/events.js';
import type { JobName, JobPayloads } from '../../shared/jobs.js';
import type { Logger } from '../../shared/logger.js';
import type { BrowserQueue } from '../../shared/queue.js';
import type { Keyspace } from '../../shared/redis.js';
import type { BrowserSession } from '../browser.js';
import type { SideEffectGate } from '../gate.js';
import type { Quota } from '../quota.js';
import type { ThreadsAdapter } from '../sites/threads/adapter.js';
import type { UrlGuard } from '../url-guard.js';

/** The arguments of every job handler: its job, a fresh page, and the stores it may write. */
export interface JobContext {
  job: Job;
  page: Page;
  logger: Logger;
  config: Config;
  session: BrowserSession;
  adapter: ThreadsAdapter;
  store: DraftStore;
  queue: BrowserQueue;
  events: EventWriter;
  artifacts: ArtifactStore;
  quota: Quota;
  gate: SideEffectGate;
  keys: Keyspace;
  /** The worker's command connection, for the few reads a handler makes itself. */
  redisCommands: Redis;
  /** Records the outcome of a login check for the heartbeat. */
  setLoggedIn(loggedIn: boolean): void;
  urlGuard: UrlGuard;
  /** Marks the session as needing a person and clears it; reports `browser.status`. */
  setNeedsHuman(reason: string | null): Promise<void>;
  /** Moves jobs held for a person or the pause back to the front of the queue. */
  releaseHeld(): Promise<void>;
  /** Reports one step of the job as a `job.progress` event. */
  progress(
    step: string,
    status: 'started' | 'succeeded' | 'failed',
    extra?: { index?: number; durationMs?: number; artifact?: ArtifactRef },
  ): Promise<void>;
  /** The logged-in account's user name, read once per browser session. */
  username(): Promise<string>;
  /** True when this run is the job's last allowed attempt. */
  isLastAttempt(): boolean;
}

export type JobResult = Record<string, unknown>;
export type JobHandler<N extends JobName> = (
  context: JobContext,
  payload: JobPayloads[N],
) => Promise<JobResult>;

/** One handler per job name; a new name does not compile until it has one. */
export type JobHandlers = { [N in JobName]: JobHandler<N> };
