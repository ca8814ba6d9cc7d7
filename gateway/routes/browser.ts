import { createRoute } from '@hono/zod-openapi';
import { ulid } from 'ulid';
import { z } from 'zod';
import { actionsBodySchema, urlsOfSteps } from '../../shared/actions.js';
import { AppError } from '../../shared/errors.js';
import { browserStatusSchema } from '../../shared/events.js';
import { releaseHeldJobs } from '../../shared/held-jobs.js';
import { storageStateSchema } from '../../shared/storage-state.js';
import { UrlPolicy } from '../../shared/url-policy.js';
import { readBrowserStatus, setNeedsHuman, setPaused } from '../../shared/worker-status.js';
import { requireApprover } from '../auth.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import { errorResponses, jsonBody, jsonResponse } from '../openapi.js';
import { queueJob } from '../queueing.js';

/** Seconds a storage state may wait in Redis for the worker before it expires unread. */
const SESSION_IMPORT_TTL_SECONDS = 600;

const queuedJobSchema = z.object({ jobId: z.string() });

export function registerBrowserRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const policy = new UrlPolicy(deps.config.ALLOWED_HOSTS, deps.config.THREADS_BASE_URL);
  app.on('POST', '/api/browser/actions', requireApprover);
  app.on('PUT', '/api/browser/session', requireApprover);
  app.on('POST', ['/api/worker/pause', '/api/worker/resume'], requireApprover);

  const reportStatus = async () => {
    const status = await readBrowserStatus(deps.redis, deps.keys);
    await deps.events.append({ type: 'browser.status', data: status });
    return status;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/browser/status',
      tags: ['browser'],
      summary: 'Worker heartbeat and browser state',
      responses: { 200: jsonResponse(browserStatusSchema, 'the current status'), ...errorResponses() },
    }),
    async (c) => c.json(await readBrowserStatus(deps.redis, deps.keys), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/browser/actions',
      tags: ['browser'],
      summary: 'Queue a list of browser steps; every URL must pass the allowlist',
      request: { body: jsonBody(actionsBodySchema) },
      responses: {
        202: jsonResponse(queuedJobSchema, 'queued'),
        ...errorResponses(400, 403, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      for (const [index, url] of urlsOfSteps(body.steps).entries()) {
        const refusal = policy.check(url);
        if (refusal) {
          throw new AppError(422, 'url_not_allowed', refusal, { url: url.slice(0, 200), urlIndex: index });
        }
      }
      const jobId = await queueJob(deps, 'actions', body);
      c.header('Location', `/api/jobs/${jobId}`);
      return c.json({ jobId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/browser/session',
      tags: ['browser'],
      summary: 'Import a Playwright storage state into the browser profile, then check the login',
      request: { body: jsonBody(storageStateSchema) },
      responses: { 202: jsonResponse(queuedJobSchema, 'queued'), ...errorResponses(400, 403, 413, 415, 429) },
    }),
    async (c) => {
      const state = c.req.valid('json');
      const importId = ulid();
      // The state waits in Redis, never in the job's data, and the worker deletes it on reading.
      await deps.redis.set(
        deps.keys.sessionImport(importId),
        JSON.stringify(state),
        'EX',
        SESSION_IMPORT_TTL_SECONDS,
      );
      const jobId = await queueJob(deps, 'session', { importId });
      c.get('logger').info({ jobId, cookies: state.cookies.length }, 'session import queued');
      c.header('Location', `/api/jobs/${jobId}`);
      return c.json({ jobId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/worker/pause',
      tags: ['worker'],
      summary: 'Hold side-effecting jobs; reads go on',
      responses: { 200: jsonResponse(browserStatusSchema, 'the status, paused'), ...errorResponses(403) },
    }),
    async (c) => {
      await setPaused(deps.redis, deps.keys, true);
      c.get('logger').info('worker paused');
      return c.json(await reportStatus(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/worker/resume',
      tags: ['worker'],
      summary: 'Resume side-effecting jobs and clear the needs-a-person state',
      responses: { 200: jsonResponse(browserStatusSchema, 'the status, running'), ...errorResponses(403) },
    }),
    async (c) => {
      await setPaused(deps.redis, deps.keys, false);
      await setNeedsHuman(deps.redis, deps.keys, null);
      const released = await releaseHeldJobs(deps.redis, deps.keys, deps.queue);
      c.get('logger').info({ released }, 'worker resumed');
      return c.json(await reportStatus(), 200);
    },
  );
}
