import type { Redis } from 'ioredis';
import type { Keyspace } from '../shared/redis.js';

/** Failed sign-ins one client address may make within the window before it must wait. */
export const MAX_SIGN_IN_FAILURES = 10;
export const SIGN_IN_WINDOW_SECONDS = 300;

/**
 * Counts failed sign-ins per client address in Redis, so every gateway shares the count. The
 * window starts at the first failure and the count expires with it.
 */
export class SignInLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Seconds the client must wait before it may try again, or null when it may try now. */
  async retryAfter(client: string): Promise<number | null> {
    const key = this.keys.signInFailures(client);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
    if (Number(count ?? '0') < MAX_SIGN_IN_FAILURES) return null;
    return ttl > 0 ? ttl : SIGN_IN_WINDOW_SECONDS;
  }

  async recordFailure(client: string): Promise<void> {
    const key = this.keys.signInFailures(client);
    await this.redis.multi().incr(key).expire(key, SIGN_IN_WINDOW_SECONDS, 'NX').exec();
  }
}
