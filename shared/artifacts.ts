import type { Redis } from 'ioredis';
import type { Keyspace } from './redis.js';

/** The reference to an artifact in results and events; the bytes stay in Redis. */
export interface ArtifactRef {
  name: string;
  contentType: string;
  url: string;
}

export const ARTIFACT_TTL_SECONDS = 7 * 24 * 3600;

/** Screenshots and other files of a job, kept in Redis with a TTL and served by the gateway. */
export class ArtifactStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly ttlSeconds = ARTIFACT_TTL_SECONDS,
  ) {}

  async save(jobId: string, name: string, contentType: string, bytes: Buffer): Promise<ArtifactRef> {
    const key = this.keys.artifact(jobId, name);
    await this.redis
      .multi()
      .hset(key, 'contentType', contentType, 'bytes', bytes)
      .expire(key, this.ttlSeconds)
      .exec();
    return {
      name,
      contentType,
      url: `/api/jobs/${encodeURIComponent(jobId)}/artifacts/${encodeURIComponent(name)}`,
    };
  }

  async get(jobId: string, name: string): Promise<{ contentType: string; bytes: Buffer } | null> {
    const key = this.keys.artifact(jobId, name);
    const [contentType, bytes] = await Promise.all([
      this.redis.hget(key, 'contentType'),
      this.redis.hgetBuffer(key, 'bytes'),
    ]);
    if (contentType === null || bytes === null) return null;
    return { contentType, bytes };
  }
}
