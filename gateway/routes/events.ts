import { ServerResponse } from 'node:http';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { eventTopics } from '../../shared/events.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import type { EventFilter } from '../events/client.js';
import { issueTicket, TICKET_TTL_SECONDS } from '../events/ticket.js';
import { unavailableResponse } from '../http-errors.js';
import { errorResponses, jsonResponse } from '../openapi.js';

const topicsSchema = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()))
  .pipe(z.array(z.enum(eventTopics)).min(1))
  .meta({ description: `comma-separated topics: ${eventTopics.join(', ')}` });

const eventsQuery = z.strictObject({
  topics: topicsSchema.optional(),
  job: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a job id')
    .optional()
    .meta({ description: 'only events of this job' }),
  lastEventId: z.string().optional().meta({
    description:
      'resume after this event id, for clients that cannot send the Last-Event-ID header; the header wins',
  }),
  ticket: z.string().optional().meta({ description: 'a single-use ticket from POST /api/events/ticket' }),
});

const ticketSchema = z.object({ ticket: z.string(), expiresAt: z.iso.datetime() });

/** Headers of the event stream: no caching, no transformation, no buffering in proxies. */
const streamHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};

/** Returns the Node.js response under a request served by @hono/node-server, or null, e.g. in `app.request()`. */
function serverResponseOf(env: unknown): ServerResponse | null {
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return null;
  return env.outgoing instanceof ServerResponse ? env.outgoing : null;
}

export function registerEventRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const tags = ['events'];

  const ticketRoute = createRoute({
    method: 'post',
    path: '/api/events/ticket',
    tags,
    summary: `A single-use ticket that opens one event stream within ${TICKET_TTL_SECONDS} s`,
    responses: { 201: jsonResponse(ticketSchema, 'the ticket and when it expires'), ...errorResponses() },
  });

  app.openapi(ticketRoute, async (c) => {
    const issued = await issueTicket(deps.redis, deps.keys, c.get('principal'));
    c.header('Cache-Control', 'no-store');
    return c.json(issued, 201);
  });

  const streamRoute = createRoute({
    method: 'get',
    path: '/api/events',
    tags,
    summary: 'Live events as server-sent events, resumable with Last-Event-ID',
    request: { query: eventsQuery },
    responses: {
      200: {
        description: '`id:` is the stream entry id, `event:` the type, `data:` one JSON object',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses(400),
    },
  });

  app.openapi(streamRoute, (c) => {
    const query = c.req.valid('query');
    if (!deps.relay.ready) {
      return unavailableResponse(c, 'the event stream is starting; retry shortly');
    }
    const filter: EventFilter = {
      topics: query.topics ? new Set(query.topics) : null,
      jobId: query.job ?? null,
    };
    const header = c.req.header('last-event-id');
    const resumeFrom = header !== undefined && header !== '' ? header : query.lastEventId || undefined;

    const client = deps.relay.connect(
      { signal: c.req.raw.signal, response: serverResponseOf(c.env) },
      filter,
      resumeFrom,
      c.get('logger'),
    );
    return c.body(client.stream, 200, streamHeaders);
  });
}
