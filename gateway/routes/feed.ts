import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { FeedStore, feedSnapshotSchema } from '../../shared/feed.js';
import { feedPayloadSchema } from '../../shared/jobs.js';
import { requireApprover } from '../auth.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import { errorResponses, jsonBody, jsonResponse } from '../openapi.js';
import { queueJob } from '../queueing.js';

const refreshBodySchema = z.strictObject({
  limit: feedPayloadSchema.shape.limit.describe('posts to read, 1 to 100; 20 when left out'),
});
const queuedJobSchema = z.object({ jobId: z.string() });

const tags = ['browser'];

const routes = {
  latest: createRoute({
    method: 'get',
    path: '/api/browser/feed',
    tags,
    summary: 'The latest home feed the worker read',
    responses: {
      200: jsonResponse(feedSnapshotSchema, 'the latest snapshot'),
      ...errorResponses(404),
    },
  }),
  refresh: createRoute({
    method: 'post',
    path: '/api/browser/feed/refresh',
    tags,
    summary: 'Queue a feed job that reads the home feed and replaces the snapshot',
    request: { body: jsonBody(refreshBodySchema, false) },
    responses: {
      202: jsonResponse(queuedJobSchema, 'queued; follow the Location header for the job'),
      ...errorResponses(400, 403, 413, 415, 429),
    },
  }),
};

/**
 * Reading the snapshot is open to both scopes because it changes nothing. A refresh drives the
 * browser, so it needs the approver token.
 */
export function registerFeedRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const store = new FeedStore(deps.redis, deps.keys);
  app.use(routes.refresh.path, requireApprover);

  app.openapi(routes.latest, async (c) => {
    const snapshot = await store.latest();
    if (!snapshot) {
      throw new AppError(
        404,
        'not_found',
        'no feed snapshot yet: POST /api/browser/feed/refresh to read the feed',
      );
    }
    return c.json(snapshot, 200);
  });

  app.openapi(routes.refresh, async (c) => {
    const body = c.req.valid('json') ?? {};
    const payload = feedPayloadSchema.parse(body);
    const jobId = await queueJob(deps, 'feed', payload);
    c.header('Location', `/api/jobs/${jobId}`);
    return c.json({ jobId }, 202);
  });
}
