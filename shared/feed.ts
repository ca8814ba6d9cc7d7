import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keyspace } from './redis.js';

const authorSchema = z.object({ username: z.string(), verified: z.boolean() });

/** The post a quote embeds, as much of it as the feed sends along. */
export const quotedPostSchema = z
  .object({
    id: z.string().nullable(),
    code: z.string().nullable(),
    permalink: z.string().nullable(),
    author: authorSchema.nullable(),
    text: z.string().nullable(),
    unavailable: z.boolean(),
  })
  .meta({ id: 'QuotedPost' });

/**
 * A post as the worker reports it, whatever shape the site sent. Fields the source did not carry
 * are null: a tombstone often has no code or author, and posts read from the DOM have no counts.
 */
export const threadsPostSchema = z
  .object({
    id: z.string(),
    code: z.string().nullable(),
    permalink: z.string().nullable(),
    author: authorSchema.nullable(),
    text: z.string().nullable(),
    takenAt: z.iso.datetime().nullable(),
    counts: z.object({
      likes: z.number().int().nullable(),
      replies: z.number().int().nullable(),
      reposts: z.number().int().nullable(),
      quotes: z.number().int().nullable(),
    }),
    mediaType: z.enum(['text', 'image', 'video', 'carousel', 'unknown']),
    media: z.array(z.object({ type: z.enum(['image', 'video']), url: z.string() })),
    isReply: z.boolean(),
    replyToAuthor: z.string().nullable(),
    /** The code of the previous item of the same thread, when this post replies to it. */
    replyToCode: z.string().nullable(),
    quotedPost: quotedPostSchema.nullable(),
    viewerReplied: z.boolean(),
    /** True for a tombstone: a deleted or hidden post that still keeps its place in a thread. */
    unavailable: z.boolean(),
  })
  .meta({ id: 'ThreadsPost' });
export type ThreadsPost = z.infer<typeof threadsPostSchema>;
export type QuotedPost = z.infer<typeof quotedPostSchema>;

export const feedSnapshotSchema = z
  .object({
    posts: z.array(threadsPostSchema),
    fetchedAt: z.iso.datetime(),
    /** `graphql` when the posts came from the page's GraphQL data, `dom` when only the markup was readable. */
    source: z.enum(['graphql', 'dom']),
  })
  .meta({ id: 'FeedSnapshot' });
export type FeedSnapshot = z.infer<typeof feedSnapshotSchema>;

/** The latest home feed read by the worker, one JSON value in Redis that each read replaces. */
export class FeedStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async save(snapshot: FeedSnapshot): Promise<void> {
    await this.redis.set(this.keys.feedSnapshot, JSON.stringify(snapshot));
  }

  /** Returns the stored snapshot, or null before the first read. */
  async latest(): Promise<FeedSnapshot | null> {
    const stored = await this.redis.get(this.keys.feedSnapshot);
    if (stored === null) return null;
    const parsed = feedSnapshotSchema.safeParse(JSON.parse(stored));
    if (!parsed.success) {
      throw new Error(
        `the feed snapshot at ${this.keys.feedSnapshot} does not match the current schema; refresh the feed to replace it`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }
}
