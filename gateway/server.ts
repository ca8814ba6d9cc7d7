import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Redis } from 'ioredis';
import { ArtifactStore } from '../shared/artifacts.js';
import type { Config } from '../shared/config.js';
import { DraftStore } from '../shared/draft-store.js';
import { EventWriter } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { createBrowserQueue } from '../shared/queue.js';
import { createBlockingConnection, createProducerConnection, keyspace } from '../shared/redis.js';
import { createShutdown } from '../shared/shutdown.js';
import { createApp } from './app.js';
import { generateToken } from './auth.js';
import { EventRelay } from './events/relay.js';

export interface GatewayServer {
  url: string;
  approverToken: string;
  /** The relay of `GET /api/events`, whose gauge tests and metrics read. */
  relay: EventRelay;
  stop(reason: string): Promise<void>;
}

/** Builds the app on its Redis connection and listens; `stop` closes every connection. */
export async function startGateway(config: Config, logger: Logger): Promise<GatewayServer> {
  const keys = keyspace(config.QUEUE_NAME);
  const redis = createProducerConnection(config.REDIS_URL);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'Redis connection error'));
  const queue = createBrowserQueue(redis, config.QUEUE_NAME, config.QUEUE_NAME);
  queue.on('error', (error) => logger.warn({ err: error.message }, 'queue connection error'));

  const streamReader = createBlockingConnection(config.REDIS_URL);
  streamReader.on('error', (error) => logger.warn({ err: error.message }, 'event stream connection error'));
  const relay = new EventRelay(
    streamReader,
    redis,
    { streamKey: keys.events, maxBufferedBytes: config.EVENT_CLIENT_BUFFER_BYTES },
    logger,
  );

  await waitForReady(redis, 5_000, logger);
  relay.start();
  if (!(await relay.whenReady(redis.status === 'ready' ? 5_000 : 0))) {
    logger.warn('the event relay is not reading yet; GET /api/events responds 503 until it is');
  }

  const approverToken = config.API_TOKEN ?? generateToken();
  const app = createApp({
    config,
    logger,
    redis,
    keys,
    store: new DraftStore(redis, keys, config.EVENT_STREAM_MAX_LENGTH),
    queue,
    events: new EventWriter(redis, keys.events, config.EVENT_STREAM_MAX_LENGTH),
    artifacts: new ArtifactStore(redis, keys),
    relay,
    tokens: { approverToken, agentToken: config.AGENT_TOKEN ?? null },
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () =>
      resolve(listening),
    );
    listening.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `${config.HOST}:${config.PORT} is already in use; stop the other process or set PORT to a free port`
          : `listening on ${config.HOST}:${config.PORT} failed: ${error.message}`;
      reject(new Error(reason, { cause: error }));
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = config.PUBLIC_URL ?? `http://${host}:${address.port}`;
  logger.info({ url }, 'gateway listening');

  const stop = createShutdown(
    logger,
    () => [
      { name: 'event relay', run: () => relay.stop() },
      {
        name: 'http server',
        run: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      },
      { name: 'queue', run: () => queue.close() },
      { name: 'redis', run: () => redis.quit() },
    ],
    10_000,
  );
  return { url, approverToken, relay, stop };
}

/** Waits briefly for the first connection; the gateway starts anyway and responds 503 until Redis is back. */
async function waitForReady(redis: Redis, timeoutMs: number, logger: Logger): Promise<void> {
  if (redis.status === 'ready') return;
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) logger.warn({ timeoutMs }, 'Redis is not reachable yet; API requests get 503 until it is');
}
