import { IncomingMessage } from 'node:http';
import { createRoute } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { principalForToken, SESSION_COOKIE } from '../auth.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import { errorBody } from '../http-errors.js';
import { errorResponses, jsonBody, jsonResponse } from '../openapi.js';
import { SIGN_IN_PATH } from '../origin-check.js';
import type { SessionStore } from '../sessions.js';
import { SignInLimiter } from '../sign-in-limiter.js';

const signInBodySchema = z.strictObject({ token: z.string().min(1).max(512) });
const sessionSchema = z.object({
  signedIn: z.literal(true),
  name: z.string(),
  scope: z.enum(['approver', 'agent']),
  expiresAt: z.iso.datetime(),
});
/** The body for a request without a valid session. Its status is 200, so a page that checks on load logs no failed request. */
const noSessionSchema = z.object({ signedIn: z.literal(false) });

const tags = ['auth'];

const routes = {
  signIn: createRoute({
    method: 'post',
    path: SIGN_IN_PATH,
    tags,
    summary: 'Sign the dashboard in with the approver token; sets the HttpOnly session cookie',
    security: [],
    request: { body: jsonBody(signInBodySchema) },
    responses: {
      201: jsonResponse(sessionSchema, 'signed in; the cookie is set'),
      ...errorResponses(400, 403, 413, 415),
      429: { description: `too many failed sign-ins; retry after \`Retry-After\` seconds` },
    },
  }),
  current: createRoute({
    method: 'get',
    path: SIGN_IN_PATH,
    tags,
    summary: 'Whether the cookie carries a valid session, and which',
    security: [],
    responses: {
      200: jsonResponse(z.union([sessionSchema, noSessionSchema]), 'the session, or `{signedIn: false}`'),
      ...errorResponses(),
    },
  }),
  signOut: createRoute({
    method: 'delete',
    path: SIGN_IN_PATH,
    tags,
    summary: 'Sign out: ends the session and clears the cookie',
    security: [],
    responses: { 204: { description: 'signed out' }, ...errorResponses(403) },
  }),
};

/** Returns the peer address under @hono/node-server, or `unknown` under `app.request()`, where all calls share one failure count. */
// NOTE: behind a reverse proxy every client has the proxy's address and so shares one failure count;
// trusting X-Forwarded-For would need a configured list of proxies.
function clientAddress(env: unknown): string {
  if (
    typeof env === 'object' &&
    env !== null &&
    'incoming' in env &&
    env.incoming instanceof IncomingMessage
  ) {
    return env.incoming.socket.remoteAddress ?? 'unknown';
  }
  return 'unknown';
}

/**
 * Sign-in, the current session and sign-out. They are registered before the authentication
 * middleware, because a browser that signs in has no credential yet.
 */
export function registerSessionRoutes(app: GatewayApp, deps: GatewayDeps, sessions: SessionStore): void {
  const limiter = new SignInLimiter(deps.redis, deps.keys);
  const secure = deps.config.PUBLIC_URL?.startsWith('https:') ?? false;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'Strict', secure } as const;

  app.openapi(routes.signIn, async (c) => {
    c.header('Cache-Control', 'no-store');
    const client = clientAddress(c.env);
    const wait = await limiter.retryAfter(client);
    if (wait !== null) {
      c.header('Retry-After', String(wait));
      return c.json(errorBody('too_many_requests', `too many failed sign-ins; try again in ${wait} s`), 429);
    }

    const principal = principalForToken(c.req.valid('json').token, deps.tokens);
    if (!principal) {
      await limiter.recordFailure(client);
      c.get('logger')?.warn({ client }, 'sign-in with an invalid token');
      return c.json(errorBody('unauthorized', 'invalid token: paste the approver token (API_TOKEN)'), 401);
    }
    if (principal.scope !== 'approver') {
      return c.json(
        errorBody('forbidden', 'the agent token cannot sign in to the dashboard; use the approver token'),
        403,
      );
    }

    const session = await sessions.create(principal);
    setCookie(c, SESSION_COOKIE, session.id, { ...cookieOptions, maxAge: deps.config.SESSION_TTL_SECONDS });
    c.get('logger')?.info({ principal: principal.name }, 'dashboard signed in');
    return c.json(
      { signedIn: true as const, name: principal.name, scope: principal.scope, expiresAt: session.expiresAt },
      201,
    );
  });

  app.openapi(routes.current, async (c) => {
    c.header('Cache-Control', 'no-store');
    const id = getCookie(c, SESSION_COOKIE);
    if (id === undefined) return c.json({ signedIn: false as const }, 200);

    const [principal, secondsLeft] = await Promise.all([sessions.lookup(id), sessions.secondsLeft(id)]);
    if (!principal || secondsLeft === null) return c.json({ signedIn: false as const }, 200);
    const expiresAt = new Date(Date.now() + secondsLeft * 1000).toISOString();
    return c.json({ signedIn: true as const, name: principal.name, scope: principal.scope, expiresAt }, 200);
  });

  app.openapi(routes.signOut, async (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id !== undefined) await sessions.remove(id);
    deleteCookie(c, SESSION_COOKIE, cookieOptions);
    return c.body(null, 204);
  });
}
