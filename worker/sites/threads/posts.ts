import { z } from 'zod';
import type { QuotedPost, ThreadsPost } from '../../../shared/feed.js';

export type { ThreadsPost };

const candidate = z.object({ url: z.string() }).passthrough();
const rawPostSchema = z
  .object({
    pk: z.union([z.string(), z.number()]).nullish(),
    id: z.union([z.string(), z.number()]).nullish(),
    code: z.string().nullish(),
    taken_at: z.number().nullable().optional(),
    caption: z.object({ text: z.string().nullable().optional() }).nullable().optional(),
    user: z.object({ username: z.string(), is_verified: z.boolean().optional() }).nullable().optional(),
    like_count: z.number().nullable().optional(),
    media_type: z.number().nullable().optional(),
    is_post_unavailable: z.boolean().nullable().optional(),
    image_versions2: z
      .object({ candidates: z.array(candidate).optional() })
      .nullable()
      .optional(),
    video_versions: z.array(candidate).nullable().optional(),
    carousel_media: z
      .array(
        z
          .object({
            image_versions2: z
              .object({ candidates: z.array(candidate).optional() })
              .nullable()
              .optional(),
            video_versions: z.array(candidate).nullable().optional(),
          })
          .passthrough(),
      )
      .nullable()
      .optional(),
    text_post_app_info: z
      .object({
        direct_reply_count: z.number().nullable().optional(),
        repost_count: z.number().nullable().optional(),
        quote_count: z.number().nullable().optional(),
        is_reply: z.boolean().nullable().optional(),
        reply_to_author: z.object({ username: z.string() }).nullable().optional(),
        has_viewer_replied: z.boolean().nullable().optional(),
        share_info: z
          .object({
            quoted_post: z.unknown().optional(),
          })
          .passthrough()
          .nullable()
          .optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

const mediaTypes: Record<number, ThreadsPost['mediaType']> = {
  1: 'image',
  2: 'video',
  8: 'carousel',
  19: 'text',
};

function firstUrl(list: Array<{ url: string }> | null | undefined): string | null {
  return list?.[0]?.url ?? null;
}

type RawPost = z.infer<typeof rawPostSchema>;
type RawMediaItem = {
  image_versions2?: { candidates?: Array<{ url: string }> } | null;
  video_versions?: Array<{ url: string }> | null;
};

/**
 * A video is reported by its first version, an image by its first candidate. URLs are made
 * absolute against `baseUrl`, because the local test site serves media from relative paths.
 */
function mediaOf(post: RawPost, baseUrl: string): ThreadsPost['media'] {
  const items: RawMediaItem[] =
    post.carousel_media && post.carousel_media.length > 0 ? post.carousel_media : [post];
  const media: ThreadsPost['media'] = [];
  for (const item of items) {
    const video = firstUrl(item.video_versions);
    const image = firstUrl(item.image_versions2?.candidates);
    if (video) media.push({ type: 'video', url: new URL(video, baseUrl).toString() });
    else if (image) media.push({ type: 'image', url: new URL(image, baseUrl).toString() });
  }
  return media;
}

function permalinkOf(
  username: string | undefined,
  code: string | null | undefined,
  baseUrl: string,
): string | null {
  if (!username || !code) return null;
  return new URL(`/@${username}/post/${code}`, baseUrl).toString();
}

function idOf(post: { pk?: string | number | null; id?: string | number | null }): string | null {
  const id = post.pk ?? post.id;
  return id === undefined || id === null ? null : String(id);
}

function quotedPostOf(raw: unknown, baseUrl: string): QuotedPost | null {
  const parsed = rawPostSchema.safeParse(raw);
  if (!parsed.success) return null;
  const post = parsed.data;
  return {
    id: idOf(post),
    code: post.code ?? null,
    permalink: permalinkOf(post.user?.username, post.code, baseUrl),
    author: post.user ? { username: post.user.username, verified: post.user.is_verified ?? false } : null,
    text: post.caption?.text ?? null,
    unavailable: post.is_post_unavailable ?? false,
  };
}

export interface NormalizeOptions {
  /** The code of the previous item of the same thread; used only when the post is a reply. */
  previousCode?: string | null;
}

/**
 * Turns one raw GraphQL post into a ThreadsPost, or null when it has no id, or has no code while
 * still being available. A tombstone (`is_post_unavailable`) is kept with whatever it carries.
 */
export function normalizePost(
  raw: unknown,
  baseUrl: string,
  options: NormalizeOptions = {},
): ThreadsPost | null {
  const parsed = rawPostSchema.safeParse(raw);
  if (!parsed.success) return null;
  const post = parsed.data;
  const id = idOf(post);
  const unavailable = post.is_post_unavailable ?? false;
  if (id === null || (!post.code && !unavailable)) return null;

  const info = post.text_post_app_info;
  const isReply = info?.is_reply ?? false;
  const quoted = info?.share_info?.quoted_post;
  return {
    id,
    code: post.code ?? null,
    permalink: permalinkOf(post.user?.username, post.code, baseUrl),
    author: post.user ? { username: post.user.username, verified: post.user.is_verified ?? false } : null,
    text: post.caption?.text ?? null,
    takenAt: typeof post.taken_at === 'number' ? new Date(post.taken_at * 1000).toISOString() : null,
    counts: {
      likes: post.like_count ?? 0,
      replies: info?.direct_reply_count ?? 0,
      reposts: info?.repost_count ?? 0,
      quotes: info?.quote_count ?? 0,
    },
    mediaType: mediaTypes[post.media_type ?? -1] ?? 'unknown',
    media: mediaOf(post, baseUrl),
    isReply,
    replyToAuthor: info?.reply_to_author?.username ?? null,
    replyToCode: isReply ? (options.previousCode ?? null) : null,
    quotedPost: quoted ? quotedPostOf(quoted, baseUrl) : null,
    viewerReplied: info?.has_viewer_replied ?? false,
    unavailable,
  };
}

/** A GraphQL response that is not a usable result: `errors` with no data, or an empty body. */
export class GraphqlAnswerError extends Error {
  override name = 'GraphqlAnswerError';
}

/**
 * Parses a `/graphql/query` body; throws on an empty body or `errors` with `data: null`. A streamed
 * response (one JSON object per line, the later ones being deferred parts) is read from its first line.
 */
export function parseGraphqlBody(body: string): Record<string, unknown> {
  if (body.trim() === '') {
    throw new GraphqlAnswerError('the GraphQL response is empty; the session may have expired');
  }
  // Some responses carry an anti-JSON-hijacking prefix such as `for (;;);`.
  const text = body.replace(/^\s*for\s*\(;;\);/, '');
  const json = parseFirstJson(text);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new GraphqlAnswerError('the GraphQL response is not a JSON object');
  }
  const record = json as { data?: unknown; errors?: unknown };
  if (typeof record.data !== 'object' || record.data === null || Array.isArray(record.data)) {
    const message = Array.isArray(record.errors) ? JSON.stringify(record.errors).slice(0, 300) : 'no data';
    throw new GraphqlAnswerError(`the GraphQL response has no data: ${message}`);
  }
  return record.data as Record<string, unknown>;
}

function parseFirstJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
    if (firstLine.length === text.trim().length) {
      throw new GraphqlAnswerError(`the GraphQL response is not valid JSON: ${String(error).slice(0, 200)}`);
    }
    try {
      return JSON.parse(firstLine);
    } catch {
      throw new GraphqlAnswerError(`the GraphQL response is not valid JSON: ${String(error).slice(0, 200)}`);
    }
  }
}

const edgesOf = (value: unknown): unknown[] => {
  const edges = (value as { edges?: unknown } | null | undefined)?.edges;
  return Array.isArray(edges) ? edges : [];
};

const threadItemsOf = (thread: unknown): unknown[] => {
  const items = (thread as { thread_items?: unknown } | null | undefined)?.thread_items;
  return Array.isArray(items) ? items.map((item) => (item as { post?: unknown } | null)?.post) : [];
};

/** Raw posts of a profile's threads tab: `mediaData.edges[].node.thread_items[].post`. */
export function rawProfilePosts(data: Record<string, unknown>): unknown[] {
  return edgesOf(data.mediaData).flatMap((edge) => threadItemsOf((edge as { node?: unknown }).node));
}
