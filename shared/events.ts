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

/** The topic filter of `GET /api/events` that each event belongs to. */
export function topicOf(type: EventType): 'drafts' | 'jobs' | 'browser' | 'feed' {
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

  /** Appends one event and returns its stream id. */
  async append(event: AppEvent): Promise<string> {
    const id = await this.redis.xadd(
      this.streamKey,
      'MAXLEN',
      '~',
      this.maxLength,
      '*',
      STREAM_FIELD_TYPE,
      event.type,
      STREAM_FIELD_DATA,
      JSON.stringify(event.data),
    );
    if (id === null) {
      throw new Error(`XADD to ${this.streamKey} returned no id`);
    }
    return id;
  }
}
