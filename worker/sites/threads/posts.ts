import { z } from 'zod';

/** A post as the worker reports it, whatever shape the site sent. */
export interface ThreadsPost {
  id: string;
  code: string;
  permalink: string;
  author: { username: string; verified: boolean };
  text: string | null;
  takenAt: string | null;
  counts: { likes: number; replies: number; reposts: number; quotes: number };
  mediaType: 'text' | 'image' | 'video' | 'carousel' | 'unknown';
  media: Array<{ type: 'image' | 'video'; url: string }>;
  isReply: boolean;
  replyToAuthor: string | null;
  quotedPostCode: string | null;
  viewerReplied: boolean;
  unavailable: boolean;
}

const candidate = z.object({ url: z.string() }).passthrough();
const rawPostSchema = z
  .object({
    pk: z.union([z.string(), z.number()]).optional(),
    id: z.union([z.string(), z.number()]).optional(),
    code: z.string().optional(),
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
            quoted_post: z.object({ code: z.string().optional() }).passthrough().nullable().optional(),
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

/** Turns one raw GraphQL post into a ThreadsPost, or null when it lacks an id or code. */
export function normalizePost(raw: unknown, baseUrl: string): ThreadsPost | null {
  const parsed = rawPostSchema.safeParse(raw);
  if (!parsed.success) return null;
  const post = parsed.data;
  const code = post.code;
  const id = post.pk ?? post.id;
  if (!code || id === undefined) return null;

  const username = post.user?.username ?? '';
  const info = post.text_post_app_info;
  const media: ThreadsPost['media'] = [];
  const pushMedia = (item: {
    image_versions2?: { candidates?: Array<{ url: string }> } | null;
    video_versions?: Array<{ url: string }> | null;
  }) => {
    const video = firstUrl(item.video_versions);
    const image = firstUrl(item.image_versions2?.candidates);
    if (video) media.push({ type: 'video', url: video });
    else if (image) media.push({ type: 'image', url: image });
  };
  if (post.carousel_media && post.carousel_media.length > 0) {
    for (const item of post.carousel_media) pushMedia(item);
  } else {
    pushMedia(post);
  }

  return {
    id: String(id),
    code,
    permalink: new URL(`/@${username}/post/${code}`, baseUrl).toString(),
    author: { username, verified: post.user?.is_verified ?? false },
    text: post.caption?.text ?? null,
    takenAt: typeof post.taken_at === 'number' ? new Date(post.taken_at * 1000).toISOString() : null,
    counts: {
      likes: post.like_count ?? 0,
      replies: info?.direct_reply_count ?? 0,
      reposts: info?.repost_count ?? 0,
      quotes: info?.quote_count ?? 0,
    },
    mediaType: mediaTypes[post.media_type ?? -1] ?? 'unknown',
    media,
    isReply: info?.is_reply ?? false,
    replyToAuthor: info?.reply_to_author?.username ?? null,
    quotedPostCode: info?.share_info?.quoted_post?.code ?? null,
    viewerReplied: info?.has_viewer_replied ?? false,
    unavailable: post.is_post_unavailable ?? false,
  };
}

/** A GraphQL answer that is not a usable result: `errors` with no data, or an empty body. */
export class GraphqlAnswerError extends Error {
  override name = 'GraphqlAnswerError';
}

/** Parses a `/graphql/query` body; throws on an empty body or `errors` with `data: null`. */
export function parseGraphqlBody(body: string): Record<string, unknown> {
  if (body.trim() === '') {
    throw new GraphqlAnswerError('the GraphQL answer is empty; the session may have expired');
  }
  // Some answers carry an anti-JSON-hijacking prefix such as `for (;;);`.
  const json: unknown = JSON.parse(body.replace(/^for\s*\(;;\);/, ''));
  if (typeof json !== 'object' || json === null) {
    throw new GraphqlAnswerError('the GraphQL answer is not a JSON object');
  }
  const record = json as { data?: unknown; errors?: unknown };
  if (record.data === null || record.data === undefined) {
    const message = Array.isArray(record.errors) ? JSON.stringify(record.errors).slice(0, 300) : 'no data';
    throw new GraphqlAnswerError(`the GraphQL answer has no data: ${message}`);
  }
  return record.data as Record<string, unknown>;
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

/** Raw posts of the home feed: `feedData.edges[].node.text_post_app_thread.thread_items[].post`. */
export function rawFeedPosts(data: Record<string, unknown>): unknown[] {
  return edgesOf(data.feedData).flatMap((edge) =>
    threadItemsOf((edge as { node?: { text_post_app_thread?: unknown } }).node?.text_post_app_thread),
  );
}
