import type { Redis } from 'ioredis';
import type { BrowserQueue } from './queue.js';
import type { Keyspace } from './redis.js';

/**
 * Moves every job that the worker held back (paused, or waiting for a person) to the front of the
 * queue, so it runs now instead of at its next re-check. Scheduled jobs are not in this set.
 */
export async function releaseHeldJobs(redis: Redis, keys: Keyspace, queue: BrowserQueue): Promise<number> {
  const ids = await redis.smembers(keys.heldJobs);
  let released = 0;
  for (const id of ids) {
    await redis.srem(keys.heldJobs, id);
    const job = await queue.getJob(id);
    if (job && (await job.getState()) === 'delayed') {
      await job.promote();
      released++;
    }
  }
  return released;
}
