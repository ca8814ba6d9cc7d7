import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { authenticate } from './auth.js';
import { registerDashboard } from './dashboard.js';
import type { AppVariables, GatewayApp, GatewayDeps } from './deps.js';
import { acceptEventTicket } from './events/ticket.js';

export type { AppVariables, GatewayApp };

import { errorBody, handleError, unavailableResponse, validationDetails } from './http-errors.js';
import { rejectCrossOriginCookieRequests } from './origin-check.js';
import { registerBrowserRoutes } from './routes/browser.js';
import { registerDraftRoutes } from './routes/drafts.js';
import { registerEventRoutes } from './routes/events.js';
import { registerFeedRoutes } from './routes/feed.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerArtifactRoutes, registerJobCancelRoute, registerJobRoutes } from './routes/jobs.js';
import { registerSessionRoutes } from './routes/session.js';
import { SessionStore } from './sessions.js';

/** Paths with their own body limit, larger than the default. */
const largeBodyPaths = new Set(['/api/browser/session']);

function payloadTooLarge(limit: number) {
  return {
    status: 413 as const,
    headers: { 'Content-Type': 'application/json', Connection: 'close' },
    body: JSON.stringify(errorBody('payload_too_large', `request body is larger than ${limit} bytes`)),
  };
}

/**
 * Refuses a body over the limit: by `Content-Length` before reading, otherwise while streaming.
 * The 413 carries `Connection: close` because @hono/node-server 1.x and 2.x leave a keep-alive
 * connection stalled after an early response.
 */
function limitBody(defaultLimit: number, largeLimit: number): MiddlewareHandler {
  const limiters = new Map<number, MiddlewareHandler>();
  const limiterFor = (limit: number) => {
    let limiter = limiters.get(limit);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize: limit,
        onError: () => {
          const answer = payloadTooLarge(limit);
          return new Response(answer.body, { status: answer.status, headers: answer.headers });
        },
      });
      limiters.set(limit, limiter);
    }
    return limiter;
  };

  return async (c, next) => {
    const limit = largeBodyPaths.has(c.req.path) ? largeLimit : defaultLimit;
    const declared = Number(c.req.header('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > limit) {
      const answer = payloadTooLarge(limit);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    return limiterFor(limit)(c, next);
  };
}

/**
 * A request with a body must declare it as JSON, so a form post never reaches a handler. An empty
 * body counts as no body even with a JSON content type, as `curl -X POST -H 'content-type: ...'` sends.
 */
const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const length = c.req.header('content-length');
  const hasBody = c.req.header('transfer-encoding') !== undefined || Number(length ?? '0') > 0;
  const type = c.req.header('content-type') ?? '';
  if (hasBody && !/^application\/json\s*(;|$)/i.test(type)) {
    return c.json(errorBody('unsupported_media_type', 'expected Content-Type: application/json'), 415);
  }
  if (!hasBody && type !== '') {
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-type');
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers });
  }
  return next();
};

export function createApp(deps: GatewayDeps): GatewayApp {
  const app: GatewayApp = new OpenAPIHono<{ Variables: AppVariables }>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(
          errorBody('invalid_request', 'request is invalid', validationDetails(result.error)),
          400,
        );
      }
    },
  });

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || randomUUID();
    const logger = deps.logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  if (deps.config.CORS_ORIGINS.length > 0) {
    const origins = deps.config.CORS_ORIGINS.map((origin) => new URL(origin).origin);
    app.use('/api/*', cors({ origin: origins, credentials: true, maxAge: 600 }));
  }

  registerHealthRoutes(app, deps);

  app.use('/api/*', async (c, next) => {
    if (deps.redis.status !== 'ready') {
      return unavailableResponse(c, 'Redis is unavailable; retry shortly');
    }
    return next();
  });
  app.use('/api/*', limitBody(deps.config.BODY_LIMIT_BYTES, deps.config.SESSION_BODY_LIMIT_BYTES));
  app.use('/api/*', requireJsonBody);
  app.use('/api/*', rejectCrossOriginCookieRequests(deps.config.PUBLIC_URL));
  const sessions = new SessionStore(
    deps.redis,
    deps.keys,
    deps.config.SESSION_TTL_SECONDS,
    deps.tokens.approverToken,
  );
  registerSessionRoutes(app, deps, sessions);
  app.use(
    '/api/*',
    acceptEventTicket(
      deps.redis,
      deps.keys,
      authenticate(deps.tokens, deps.lookupSession ?? sessions.lookup),
    ),
  );

  registerDraftRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerArtifactRoutes(app, deps);
  registerJobCancelRoute(app, deps);
  registerBrowserRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerDashboard(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'threads-agent',
      version: '0.1.0',
      description: 'Drafts approved by people and posted by a browser worker.',
    },
    security: [{ bearer: [] }],
  });

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => handleError(error, c, c.get('logger') ?? deps.logger));
  return app;
}
