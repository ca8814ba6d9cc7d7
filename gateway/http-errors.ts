import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Seconds a client should wait before retrying a request that met an unavailable Redis. */
export const RETRY_AFTER_SECONDS = 2;

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Field paths and messages of a validation failure, e.g. `{path: "content", message: ...}`. */
export function validationDetails(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '';
    const path = [...issue.path.map(String), ...(keys ? [keys] : [])].join('.');
    return { path: path || '(body)', message: issue.message };
  });
}

const redisUnavailablePatterns = [
  /enableOfflineQueue/,
  /Command timed out/,
  /Connection is closed/,
  /connect ECONNREFUSED/,
  /ETIMEDOUT/,
  /Reached the max retries per request limit/,
];

/** Tells a Redis connection failure apart from a real Redis reply error. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (redisUnavailablePatterns.some((pattern) => pattern.test(error.message))) return true;
  return error.cause !== undefined && isRedisUnavailable(error.cause);
}

export function unavailableResponse(c: Context, message: string): Response {
  c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  return c.json(errorBody('unavailable', message), 503);
}

/** Renders every error as the one JSON shape; internal details go to the log, never to the client. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  if (error instanceof AppError) {
    if (error.status === 503) {
      return unavailableResponse(c, error.message);
    }
    const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (error.status === 429 && typeof retryAfter === 'number') {
      c.header('Retry-After', String(retryAfter));
    }
    return c.json(errorBody(error.code, error.message, error.details), error.status);
  }

  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413) {
      c.header('Connection', 'close');
      return c.json(errorBody('payload_too_large', 'request body is larger than the limit'), 413);
    }
    if (status === 415) {
      return c.json(errorBody('unsupported_media_type', 'expected Content-Type: application/json'), 415);
    }
    if (status === 400) {
      return c.json(errorBody('invalid_json', 'request body is not valid JSON'), 400);
    }
    if (status === 401 || status === 403 || status === 404) {
      return c.json(
        errorBody(status === 404 ? 'not_found' : 'unauthorized', error.message || 'request failed'),
        status,
      );
    }
  }

  if (isRedisUnavailable(error)) {
    logger.warn({ err: error, path: c.req.path }, 'Redis unavailable; responded with 503');
    return unavailableResponse(c, 'Redis is unavailable; retry shortly');
  }

  logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
  return c.json(errorBody('internal', 'internal error'), 500);
}
