import type { Env, Hono } from 'hono';
import { readBrowserStatus } from '../../shared/worker-status.js';
import type { GatewayDeps } from '../deps.js';
import { RETRY_AFTER_SECONDS } from '../http-errors.js';

/** Registers `/healthz` (the process is alive) and `/readyz` (Redis responds and a worker heartbeat exists). */
export function registerHealthRoutes<E extends Env>(app: Hono<E>, deps: GatewayDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    let redis = false;
    let worker = false;
    try {
      redis = (await deps.redis.ping()) === 'PONG';
      worker = (await readBrowserStatus(deps.redis, deps.keys)).workerUp;
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
    }

    const ready = redis && worker;
    if (!ready) {
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    return c.json({ status: ready ? 'ready' : 'not_ready', redis, worker }, ready ? 200 : 503);
  });
}
