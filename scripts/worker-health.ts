/**
 * Container health check for the worker: exits 0 while a worker heartbeat is present in Redis and 1
 * otherwise. The heartbeat key expires three heartbeat intervals after the worker stops writing it.
 *
 * NOTE: the key is per queue, not per process, so with two workers on one queue this passes while
 * either of them beats. One worker per queue is the supported layout.
 */
import { loadConfigOrExit } from '../shared/config.js';
import { createProducerConnection, keyspace } from '../shared/redis.js';

const config = loadConfigOrExit();
const heartbeatKey = keyspace(config.QUEUE_NAME).heartbeat;
const redis = createProducerConnection(config.REDIS_URL, { lazyConnect: true, retryStrategy: () => null });
// ioredis rejects `connect()` with a bare "Connection is closed", so the cause comes from here.
let connectionError: Error | null = null;
redis.on('error', (error) => {
  connectionError = error;
});

try {
  await redis.connect();
  const heartbeat = await redis.get(heartbeatKey);
  if (heartbeat === null) {
    process.stderr.write(`no worker heartbeat at ${heartbeatKey}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`worker heartbeat: ${heartbeat}\n`);
  }
} catch (error) {
  const cause = connectionError ?? error;
  const message = cause instanceof Error ? cause.message : String(cause);
  process.stderr.write(`reading the worker heartbeat from Redis failed: ${message}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
