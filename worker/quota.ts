import type { Redis } from 'ioredis';
import type { BrowserStatus } from '../shared/events.js';
import type { Keyspace } from '../shared/redis.js';

const DAY_MS = 24 * 3600 * 1000;

export type QuotaKind = 'posts' | 'replies';

/** Rolling 24-hour counts of posts and replies, kept as sorted sets of publish times. */
export class Quota {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly limits: Record<QuotaKind, number>,
  ) {}

  async record(kind: QuotaKind, member: string, now = Date.now()): Promise<void> {
    const key = this.keys.quota(kind);
    await this.redis
      .multi()
      .zadd(key, now, member)
      .zremrangebyscore(key, 0, now - DAY_MS)
      .pexpire(key, DAY_MS)
      .exec();
  }

  /** Counts left in the current window, and when the oldest counted entry leaves it. */
  async remaining(now = Date.now()): Promise<BrowserStatus['quota']> {
    const windowStart = now - DAY_MS;
    const [posts, replies, oldestPost, oldestReply] = await Promise.all([
      this.redis.zcount(this.keys.quota('posts'), windowStart, '+inf'),
      this.redis.zcount(this.keys.quota('replies'), windowStart, '+inf'),
      this.redis.zrangebyscore(this.keys.quota('posts'), windowStart, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
      this.redis.zrangebyscore(this.keys.quota('replies'), windowStart, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    ]);
    const oldest = [oldestPost[1], oldestReply[1]]
      .filter((score): score is string => score !== undefined)
      .map(Number);
    return {
      postsLeft: Math.max(0, this.limits.posts - posts),
      repliesLeft: Math.max(0, this.limits.replies - replies),
      resetsAt: oldest.length > 0 ? new Date(Math.min(...oldest) + DAY_MS).toISOString() : null,
    };
  }
}
