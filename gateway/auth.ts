import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { errorBody } from './http-errors.js';

export type Scope = 'approver' | 'agent';

export interface Principal {
  /** The token's name, recorded on approvals: `approver` or `agent`. */
  name: string;
  scope: Scope;
}

export interface TokenSet {
  approverToken: string;
  agentToken: string | null;
}

/** The cookie that carries the dashboard session; HttpOnly and SameSite=Strict. */
export const SESSION_COOKIE = 'ta_session';

export type AuthVariables = { principal: Principal };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares in constant time over fixed-length digests, so the length of a guess leaks nothing. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export function principalForToken(token: string, tokens: TokenSet): Principal | null {
  const approver = tokensEqual(token, tokens.approverToken);
  const agent = tokens.agentToken !== null && tokensEqual(token, tokens.agentToken);
  if (approver) return { name: 'approver', scope: 'approver' };
  if (agent) return { name: 'agent', scope: 'agent' };
  return null;
}

/** Resolves a session cookie to a principal; sessions are created by the dashboard's sign-in. */
export type SessionLookup = (sessionId: string) => Promise<Principal | null>;

/**
 * Accepts `Authorization: Bearer <token>` or the dashboard's session cookie, and responds 401
 * otherwise. Tokens are never read from the URL.
 */
export function authenticate(
  tokens: TokenSet,
  lookupSession?: SessionLookup,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match?.[1] ? principalForToken(match[1], tokens) : null;
      if (!principal) {
        c.header('WWW-Authenticate', 'Bearer');
        return c.json(errorBody('unauthorized', 'invalid bearer token'), 401);
      }
      c.set('principal', principal);
      return next();
    }

    const sessionId = getCookie(c, SESSION_COOKIE);
    const principal = sessionId && lookupSession ? await lookupSession(sessionId) : null;
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer');
      return c.json(
        errorBody('unauthorized', 'missing credentials: send Authorization: Bearer <token>'),
        401,
      );
    }
    c.set('principal', principal);
    return next();
  };
}

/** Responds 403 unless the caller has the approver scope. */
export const requireApprover: MiddlewareHandler<{ Variables: AuthVariables }> = async (c, next) => {
  if (c.get('principal').scope !== 'approver') {
    return c.json(errorBody('forbidden', 'this action needs the approver token'), 403);
  }
  return next();
};
