import { z } from 'zod';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

const errorContent = { 'application/json': { schema: errorSchema } };

/** Response entries for the errors that any authenticated route can return. */
export function errorResponses(
  ...statuses: Array<400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503>
) {
  const descriptions: Record<number, string> = {
    400: 'invalid request; `details` lists the field paths',
    401: 'missing or invalid token',
    403: 'the token lacks the approver scope',
    404: 'not found',
    409: 'the current state does not allow this',
    413: 'request body over the limit',
    415: 'the body is not JSON',
    422: 'the URL is not allowed',
    429: 'too many jobs are waiting; retry after `Retry-After` seconds',
    503: 'Redis unavailable; retry after `Retry-After` seconds',
  };
  return Object.fromEntries(
    [401, 503, ...statuses].map((status) => [
      status,
      { description: descriptions[status] ?? '', content: errorContent },
    ]),
  );
}

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
