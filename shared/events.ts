import type { Redis } from 'ioredis';
import { z } from 'zod';
import { draftSchema, draftStatusSchema } from './drafts.js';
import { jobNameSchema } from './jobs.js';

const jobRef = { jobId: z.string(), name: jobNameSchema, draftId: z.string().nullable() };

export const browserStatusSchema = z.object({
  workerUp: z.boolean(),
  heartbeatAt: z.iso.datetime().nullable(),
  version: z.string().nullable(),
  browserUp: z.boolean(),
  loggedIn: z.boolean().nullable(),
  needsHuman: z.boolean(),
  needsHumanReason: z.string().nullable(),
  paused: z.boolean(),
  currentJob: z.string().nullable(),
  quota: z.object({
    postsLeft: z.number().int(),
    repliesLeft: z.number().int(),
    resetsAt: z.iso.datetime().nullable(),
  }),
});
export type BrowserStatus = z.infer<typeof browserStatusSchema>;

/** Every event of the system; `type` is the SSE event name and `data` its JSON payload. */
export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('draft.created'), data: z.object({ draft: draftSchema }) }),
  z.object({
    type: z.literal('draft.updated'),
    data: z.object({ draft: draftSchema, previousStatus: draftStatusSchema }),
  }),
  z.object({ type: z.literal('draft.deleted'), data: z.object({ draftId: z.string() }) }),
  z.object({ type: z.literal('job.queued'), data: z.object({ ...jobRef, delayMs: z.number().int() }) }),
  z.object({ type: z.literal('job.active'), data: z.object({ ...jobRef, attempt: z.number().int() }) }),
  z.object({
    type: z.literal('job.progress'),
    data: z.object({
      ...jobRef,
      step: z.string(),
      index: z.number().int().nullable(),
      status: z.enum(['started', 'succeeded', 'failed']),
      durationMs: z.number().nullable(),
      artifact: z.object({ name: z.string(), contentType: z.string(), url: z.string() }).nullable(),
    }),
  }),
  z.object({
    type: z.literal('job.completed'),
    data: z.object({ ...jobRef, result: z.record(z.string(), z.unknown()) }),
  }),
  z.object({
    type: z.literal('job.failed'),
    data: z.object({ ...jobRef, error: z.string(), willRetry: z.boolean() }),
  }),
  z.object({ type: z.literal('browser.status'), data: browserStatusSchema }),
  z.object({
    type: z.literal('feed.updated'),
    data: z.object({ count: z.number().int(), fetchedAt: z.iso.datetime() }),
  }),
]);
export type AppEvent = z.infer<typeof eventSchema>;
export type EventType = AppEvent['type'];

/** Every event type, in the order of the union. */
export const eventTypes = eventSchema.options.map((option) => option.shape.type.value);
const eventTypeSet: ReadonlySet<string> = new Set(eventTypes);

export function isEventType(value: string): value is EventType {
  return eventTypeSet.has(value);
}

/** The topics of the `?topics=` filter of `GET /api/events`. */
export const eventTopics = ['drafts', 'jobs', 'browser', 'feed'] as const;
export type EventTopic = (typeof eventTopics)[number];

/** The topic filter of `GET /api/events` that each event belongs to. */
export function topicOf(type: EventType): EventTopic {
  if (type.startsWith('draft.')) return 'drafts';
  if (type.startsWith('job.')) return 'jobs';
  if (type === 'feed.updated') return 'feed';
  return 'browser';
}

/** Field names of a stream entry. */
export const STREAM_FIELD_TYPE = 'type';
export const STREAM_FIELD_DATA = 'data';

/** Appends events to the capped Redis Stream that every gateway relays. */
export class EventWriter {
  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    private readonly maxLength: number,
  ) {}

  /**
   * Appends one event and returns its stream id. Job events are bounded first (see
   * `boundJobEvent`), so no job event carries page text, draft text or file bytes.
   */
  async append(event: AppEvent): Promise<string> {
    const bounded = boundJobEvent(event);
    const id = await this.redis.xadd(
      this.streamKey,
      'MAXLEN',
      '~',
      this.maxLength,
      '*',
      STREAM_FIELD_TYPE,
      bounded.type,
      STREAM_FIELD_DATA,
      JSON.stringify(bounded.data),
    );
    if (id === null) {
      throw new Error(`XADD to ${this.streamKey} returned no id`);
    }
    return id;
  }
}

/** The longest string kept in a job event's result summary; longer values stay on the job only. */
export const MAX_SUMMARY_STRING_LENGTH = 2_048;
/** The longest error message and step name in job events, in UTF-16 code units. */
export const MAX_JOB_ERROR_LENGTH = 500;
export const MAX_JOB_STEP_LENGTH = 200;

type SummaryValue = string | number | boolean | null;

/**
 * Keeps the scalar values of a job result: strings up to `MAX_SUMMARY_STRING_LENGTH`, numbers,
 * booleans and null. Arrays, objects, buffers and longer strings are left out; the whole result
 * stays readable through `GET /api/jobs/:id`.
 */
export function summarizeJobResult(result: Record<string, unknown>): Record<string, SummaryValue> {
  const summary: Record<string, SummaryValue> = {};
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'string' && value.length <= MAX_SUMMARY_STRING_LENGTH) summary[key] = value;
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) summary[key] = value;
  }
  return summary;
}

/** Bounds the free-form fields of job events: the result summary, the error and the step name. */
export function boundJobEvent(event: AppEvent): AppEvent {
  switch (event.type) {
    case 'job.completed':
      return { ...event, data: { ...event.data, result: summarizeJobResult(event.data.result) } };
    case 'job.failed':
      return { ...event, data: { ...event.data, error: event.data.error.slice(0, MAX_JOB_ERROR_LENGTH) } };
    case 'job.progress':
      return { ...event, data: { ...event.data, step: event.data.step.slice(0, MAX_JOB_STEP_LENGTH) } };
    default:
      return event;
  }
}
