import type { JobsOptions } from 'bullmq';
import { ulid } from 'ulid';
import { AppError } from '../shared/errors.js';
import { type JobName, type JobPayloads, jobRetryOptions } from '../shared/jobs.js';
import type { GatewayDeps } from './deps.js';

/** Seconds a client should wait when the queue is full. */
const QUEUE_FULL_RETRY_SECONDS = 30;

/**
 * Queues a job the API asked for directly and announces it with `job.queued`. Responds 429 when
 * more than MAX_QUEUED_JOBS jobs wait, so a runaway client cannot fill Redis.
 */
export async function queueJob<N extends JobName>(
  deps: Pick<GatewayDeps, 'queue' | 'events' | 'config'>,
  name: N,
  payload: JobPayloads[N],
  options: JobsOptions = {},
): Promise<string> {
  const waiting = await deps.queue.getJobCountByTypes('waiting', 'delayed', 'prioritized');
  if (waiting >= deps.config.MAX_QUEUED_JOBS) {
    throw new AppError(
      429,
      'queue_full',
      `${waiting} jobs are waiting; retry in ${QUEUE_FULL_RETRY_SECONDS} s`,
      {
        retryAfterSeconds: QUEUE_FULL_RETRY_SECONDS,
      },
    );
  }

  const jobId = `${name}-${ulid()}`;
  await deps.queue.add(name, payload, { jobId, ...jobRetryOptions[name], ...options });
  await deps.events.append({
    type: 'job.queued',
    data: { jobId, name, draftId: null, delayMs: options.delay ?? 0 },
  });
  return jobId;
}
