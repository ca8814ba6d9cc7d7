import { Redis, type RedisOptions } from 'ioredis';

/**
 * A connection for request paths: with the offline queue off and a command timeout, a command
 * fails within about a second while Redis is down instead of waiting for a reconnect.
 */
export function createProducerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 1_500,
    connectTimeout: 1_500,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
    ...options,
  });
}

/**
 * A connection for blocking readers (BullMQ workers, stream readers): commands wait for a
 * reconnect, and a blocking command is never cut short by a timeout.
 */
export function createBlockingConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}

/** Keys of this deployment, under one prefix so tests and accounts never share keys. */
export function keyspace(prefix: string) {
  return {
    draft: (id: string) => `${prefix}:draft:${id}`,
    draftsAll: `${prefix}:drafts:all`,
    draftsByStatus: (status: string) => `${prefix}:drafts:status:${status}`,
    events: `${prefix}:events`,
    heartbeat: `${prefix}:worker:heartbeat`,
    workerControl: `${prefix}:worker:control`,
    artifact: (jobId: string, name: string) => `${prefix}:artifact:${jobId}:${name}`,
    feedSnapshot: `${prefix}:feed:latest`,
    quota: (kind: string) => `${prefix}:quota:${kind}`,
    lastSideEffect: `${prefix}:pacing:last`,
    ticket: (id: string) => `${prefix}:ticket:${id}`,
    heldJobs: `${prefix}:worker:held`,
    sessionImport: (id: string) => `${prefix}:session-import:${id}`,
    session: (id: string) => `${prefix}:session:${id}`,
    signInFailures: (client: string) => `${prefix}:signin-failures:${client}`,
  };
}
export type Keyspace = ReturnType<typeof keyspace>;
