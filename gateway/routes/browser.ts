import { createRoute } from '@hono/zod-openapi';
import { browserStatusSchema } from '../../shared/events.js';
import { readBrowserStatus } from '../../shared/worker-status.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import { errorResponses, jsonResponse } from '../openapi.js';

export function registerBrowserRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const status = createRoute({
    method: 'get',
    path: '/api/browser/status',
    tags: ['browser'],
    summary: 'Worker heartbeat and browser state',
    responses: { 200: jsonResponse(browserStatusSchema, 'the current status'), ...errorResponses() },
  });

  app.openapi(status, async (c) => c.json(await readBrowserStatus(deps.redis, deps.keys), 200));
}
