import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from '../../shared/redis.js';
import type { AuthVariables, Principal } from '../auth.js';
import { errorBody } from '../http-errors.js';

/** How long a ticket stays valid; it opens one event stream, which then lasts as long as it is read. */
export const TICKET_TTL_SECONDS = 60;

/** The one path where a ticket replaces the bearer token or the session cookie. */
export const EVENTS_PATH = '/api/events';

const ticketPattern = /^[A-Za-z0-9_-]{32}$/;
const storedPrincipalSchema = z.object({ name: z.string(), scope: z.enum(['approver', 'agent']) });

/** Stores a single-use ticket for `principal` and returns it with its expiry time. */
export async function issueTicket(
  redis: Redis,
  keys: Keyspace,
  principal: Principal,
  now = new Date(),
): Promise<{ ticket: string; expiresAt: string }> {
  const ticket = randomBytes(24).toString('base64url');
  const stored = await redis.set(
    keys.ticket(ticket),
    JSON.stringify({ name: principal.name, scope: principal.scope }),
    'EX',
    TICKET_TTL_SECONDS,
    'NX',
  );
  if (stored !== 'OK') {
    throw new Error('storing the event stream ticket failed: the id is taken');
  }
  return { ticket, expiresAt: new Date(now.getTime() + TICKET_TTL_SECONDS * 1000).toISOString() };
}

/** Deletes the ticket and returns its principal; null when it is malformed, used or expired. */
export async function redeemTicket(redis: Redis, keys: Keyspace, ticket: string): Promise<Principal | null> {
  if (!ticketPattern.test(ticket)) return null;

  const stored = await redis.getdel(keys.ticket(ticket));
  if (stored === null) return null;
  const parsed = storedPrincipalSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : null;
}

/**
 * Accepts `?ticket=` on `GET /api/events` for clients such as the browser's `EventSource`, which
 * can send neither a header nor, across origins, the session cookie. Every other request, and a
 * request that also sends `Authorization`, goes to `authenticate`.
 */
export function acceptEventTicket(
  redis: Redis,
  keys: Keyspace,
  authenticate: MiddlewareHandler<{ Variables: AuthVariables }>,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const ticket = c.req.query('ticket');
    const usesTicket =
      ticket !== undefined &&
      c.req.method === 'GET' &&
      c.req.path === EVENTS_PATH &&
      c.req.header('authorization') === undefined;
    if (!usesTicket) return authenticate(c, next);

    const principal = await redeemTicket(redis, keys, ticket);
    if (!principal) {
      return c.json(
        errorBody(
          'unauthorized',
          'invalid or expired ticket: request a new one with POST /api/events/ticket',
        ),
        401,
      );
    }
    c.set('principal', principal);
    return next();
  };
}
