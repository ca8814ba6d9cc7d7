import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from './auth.js';
import { errorBody } from './http-errors.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The path of the dashboard's sign-in and sign-out. */
export const SIGN_IN_PATH = '/api/auth/session';

/**
 * Refuses state-changing requests that a browser sent from another origin with the session cookie
 * (cross-site request forgery). SameSite=Strict keeps the cookie off cross-site requests, but other
 * origins of the same site, such as another port on the same host, still send it; browsers set
 * `Origin` on every POST, PUT, PATCH and DELETE, so a cookie request without it is refused too.
 * Requests with `Authorization` carry their own credential and pass. Sign-in is checked as well
 * when the browser names an origin, so another page cannot sign this browser in.
 */
export function rejectCrossOriginCookieRequests(publicUrl: string | undefined): MiddlewareHandler {
  const publicOrigin = publicUrl === undefined ? null : new URL(publicUrl).origin;

  return async (c, next) => {
    if (safeMethods.has(c.req.method) || c.req.header('authorization') !== undefined) return next();
    const usesCookie = getCookie(c, SESSION_COOKIE) !== undefined;
    const signingIn = c.req.path === SIGN_IN_PATH;
    if (!usesCookie && !signingIn) return next();

    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    const ownOrigin = new URL(c.req.url).origin;
    const sameOrigin = origin === ownOrigin || (publicOrigin !== null && origin === publicOrigin);
    const browserSaysCrossOrigin = fetchSite !== undefined && fetchSite !== 'same-origin';
    const missingOrigin = origin === undefined && usesCookie;

    if (browserSaysCrossOrigin || missingOrigin || (origin !== undefined && !sameOrigin)) {
      return c.json(
        errorBody(
          'forbidden',
          'cross-origin request refused: a request signed in with the session cookie must come from the dashboard page; other clients send Authorization: Bearer <token>',
        ),
        403,
      );
    }
    return next();
  };
}
