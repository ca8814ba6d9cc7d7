import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Redis } from 'ioredis';
import type { ArtifactStore } from '../shared/artifacts.js';
import type { Config } from '../shared/config.js';
import type { DraftStore } from '../shared/draft-store.js';
import type { EventWriter } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import type { BrowserQueue } from '../shared/queue.js';
import type { Keyspace } from '../shared/redis.js';
import type { AuthVariables, SessionLookup, TokenSet } from './auth.js';
import type { EventRelay } from './events/relay.js';

/** Everything the HTTP app needs; `main.ts` builds it and tests build their own. */
export interface GatewayDeps {
  config: Config;
  logger: Logger;
  redis: Redis;
  keys: Keyspace;
  store: DraftStore;
  queue: BrowserQueue;
  events: EventWriter;
  artifacts: ArtifactStore;
  /** This process's reader of the event stream, which serves `GET /api/events`. */
  relay: EventRelay;
  tokens: TokenSet;
  lookupSession?: SessionLookup;
}

export type AppVariables = AuthVariables & { logger: Logger; requestId: string };
export type GatewayApp = OpenAPIHono<{ Variables: AppVariables }>;
