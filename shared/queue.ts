import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobName, JobPayloads } from './jobs.js';

export type BrowserQueue = Queue<JobPayloads[JobName], unknown, JobName>;

/** BullMQ's key prefix under the deployment prefix. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

/** Creates the producer side of the browser queue on the process's fail-fast connection. */
export function createBrowserQueue(connection: Redis, queueName: string, prefix: string): BrowserQueue {
  return new Queue<JobPayloads[JobName], unknown, JobName>(queueName, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: {
      removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 5_000 },
    },
  });
}
