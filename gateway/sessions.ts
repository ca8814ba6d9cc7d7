import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from '../shared/redis.js';
import type { Principal, SessionLookup } from './auth.js';

const sessionIdPattern = /^[A-Za-z0-9_-]{43}$/;

const storedSessionSchema = z.object({
  name: z.string(),
  scope: z.enum(['approver', 'agent']),
  createdAt: z.iso.datetime(),
  tokenDigest: z.string(),
});

export interface CreatedSession {
  id: string;
  expiresAt: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Dashboard sessions in Redis, one key per session with a TTL. The key contains the SHA-256 of the
 * session id, so a copy of Redis does not hand out live cookies. Each session also stores a digest
 * of the token it was opened with: when that token changes, e.g. a gateway that generated one at
 * start restarts, lookups stop accepting the old sessions.
 */
export class SessionStore {
  private readonly tokenDigest: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly ttlSeconds: number,
    /** The approver token now in force. */
    approverToken: string,
  ) {
    this.tokenDigest = sha256(approverToken);
  }

  async create(principal: Principal, now = new Date()): Promise<CreatedSession> {
    const id = randomBytes(32).toString('base64url');
    const stored = {
      name: principal.name,
      scope: principal.scope,
      createdAt: now.toISOString(),
      tokenDigest: this.tokenDigest,
    };
    const written = await this.redis.set(
      this.keys.session(sha256(id)),
      JSON.stringify(stored),
      'EX',
      this.ttlSeconds,
      'NX',
    );
    if (written !== 'OK') {
      throw new Error('storing the dashboard session failed: the id is taken');
    }
    return { id, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000).toISOString() };
  }

  /** Returns the session's principal, or null when the id is malformed, unknown or expired. */
  readonly lookup: SessionLookup = async (id) => {
    if (!sessionIdPattern.test(id)) return null;

    const json = await this.redis.get(this.keys.session(sha256(id)));
    if (json === null) return null;
    const parsed = storedSessionSchema.safeParse(JSON.parse(json));
    if (!parsed.success || parsed.data.tokenDigest !== this.tokenDigest) return null;
    return { name: parsed.data.name, scope: parsed.data.scope };
  };

  /** Seconds until the session expires, or null when it does not exist. */
  async secondsLeft(id: string): Promise<number | null> {
    if (!sessionIdPattern.test(id)) return null;
    const ttl = await this.redis.ttl(this.keys.session(sha256(id)));
    return ttl > 0 ? ttl : null;
  }

  async remove(id: string): Promise<void> {
    if (!sessionIdPattern.test(id)) return;
    await this.redis.del(this.keys.session(sha256(id)));
  }
}
