import { z } from 'zod';
import { GraphqlAnswerError, normalizePost, parseGraphqlBody, type ThreadsPost } from './posts.js';
import { threadsFeed, threadsPaths } from './selectors.js';

/** Relay pagination of one feed page. */
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** One page of the home feed: the raw posts of each thread, in feed order. */
export interface FeedPage {
  threads: unknown[][];
  pageInfo: PageInfo | null;
}

const threadSchema = z
  .object({ thread_items: z.array(z.object({ post: z.unknown() }).passthrough()) })
  .passthrough();

// Edges whose node is not a thread (suggestion units and the like) have no `text_post_app_thread`.
const feedDataSchema = z
  .object({
    edges: z.array(
      z
        .object({
          node: z
            .object({ text_post_app_thread: threadSchema.nullable().optional() })
            .passthrough()
            .nullable()
            .optional(),
        })
        .passthrough(),
    ),
    page_info: z
      .object({ has_next_page: z.boolean(), end_cursor: z.string().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

/** Reads `feedData` of a GraphQL result; throws when it is missing or not in the expected shape. */
export function feedPageOf(data: Record<string, unknown>): FeedPage {
  const parsed = feedDataSchema.safeParse(data[threadsFeed.feedDataKey]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${threadsFeed.feedDataKey}.${issue.path.join('.')}: ${issue.message}` : '';
    throw new GraphqlAnswerError(
      `the home feed response has no ${threadsFeed.feedDataKey}.edges in the expected shape (${where})`,
    );
  }

  const threads = parsed.data.edges.flatMap((edge) => {
    const thread = edge.node?.text_post_app_thread;
    return thread ? [thread.thread_items.map((item) => item.post)] : [];
  });
  const pageInfo = parsed.data.page_info;
  return {
    threads,
    pageInfo: pageInfo
      ? { hasNextPage: pageInfo.has_next_page, endCursor: pageInfo.end_cursor ?? null }
      : null,
  };
}

/** Parses the body of a `BarcelonaFeedPaginationDirectQuery` response and throws GraphqlAnswerError when it is unusable. */
export function parseFeedAnswer(body: string): FeedPage {
  return feedPageOf(parseGraphqlBody(body));
}

/**
 * Returns the contents of the `<script type="application/json" data-sjs>` blocks of an HTML page, in
 * document order. The browser reads the same blocks through a locator; this is for saved pages.
 */
export function extractSjsBlocks(html: string): string[] {
  const blocks: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = match[1] ?? '';
    if (!/\sdata-sjs(\s|=|$)/i.test(attributes)) continue;
    if (!/\stype\s*=\s*["']?application\/json["']?/i.test(attributes)) continue;
    blocks.push(match[2] ?? '');
  }
  return blocks;
}

/**
 * Finds the feed pages that server-rendered blocks carry, wherever they nest them (under
 * `ScheduledServerJS` and `RelayPrefetchedStreamCache` on the real site). Blocks that are not JSON or
 * hold no `feedData` are skipped, because most blocks of a page are unrelated.
 */
export function embeddedFeedPages(blocks: readonly string[]): FeedPage[] {
  const pages: FeedPage[] = [];
  for (const block of blocks) {
    let json: unknown;
    try {
      json = JSON.parse(block);
    } catch {
      continue;
    }
    for (const data of findFeedData(json, 0)) {
      try {
        pages.push(feedPageOf(data));
      } catch (error) {
        if (!(error instanceof GraphqlAnswerError)) throw error;
      }
    }
  }
  return pages;
}

/** Bounds the walk through embedded blocks, which nest a few levels of `require` arrays. */
const MAX_EMBEDDED_DEPTH = 40;

function findFeedData(value: unknown, depth: number): Record<string, unknown>[] {
  if (depth > MAX_EMBEDDED_DEPTH || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item) => findFeedData(item, depth + 1));

  const record = value as Record<string, unknown>;
  if (typeof record[threadsFeed.feedDataKey] === 'object' && record[threadsFeed.feedDataKey] !== null) {
    return [record];
  }
  return Object.values(record).flatMap((child) => findFeedData(child, depth + 1));
}

/** Normalizes the posts of each thread, and a reply gets the code of the item before it as `replyToCode`. */
export function normalizeFeedThreads(threads: readonly unknown[][], baseUrl: string): ThreadsPost[] {
  const posts: ThreadsPost[] = [];
  for (const thread of threads) {
    let previousCode: string | null = null;
    for (const raw of thread) {
      const post = normalizePost(raw, baseUrl, { previousCode });
      if (post) posts.push(post);
      previousCode = post?.code ?? null;
    }
  }
  return posts;
}

/** The data the page script reads from one post container: attribute values and the caption text. */
export interface DomPost {
  /** `href` attributes of the container's permalink links, in document order. */
  permalinks: string[];
  datetime: string | null;
  text: string | null;
  media: Array<{ type: 'image' | 'video'; url: string }>;
}

function parsePermalink(
  href: string,
  baseUrl: string,
): { username: string; code: string; url: string } | null {
  const url = new URL(href, baseUrl);
  const match = threadsPaths.permalinkPattern.exec(url.pathname);
  if (!match?.[1] || !match[2]) return null;
  return { username: match[1], code: match[2], url: url.toString() };
}

/**
 * Turns a post read from the DOM into a ThreadsPost, or null when it has no permalink (a tombstone
 * shows none). The markup carries no post id, counts or reply flags, so the code is used as the
 * id, counts are null and `isReply` is false.
 */
export function normalizeDomPost(raw: DomPost, baseUrl: string): ThreadsPost | null {
  const links = raw.permalinks.flatMap((href) => parsePermalink(href, baseUrl) ?? []);
  const own = links[0];
  if (!own) return null;

  const quoted = links.find((link) => link.code !== own.code);
  const takenAt = raw.datetime && !Number.isNaN(Date.parse(raw.datetime)) ? new Date(raw.datetime) : null;
  const videos = raw.media.filter((item) => item.type === 'video').length;
  let mediaType: ThreadsPost['mediaType'] = 'text';
  if (raw.media.length > 1) mediaType = 'carousel';
  else if (videos === 1) mediaType = 'video';
  else if (raw.media.length === 1) mediaType = 'image';

  return {
    id: own.code,
    code: own.code,
    permalink: own.url,
    author: { username: own.username, verified: false },
    text: raw.text,
    takenAt: takenAt ? takenAt.toISOString() : null,
    counts: { likes: null, replies: null, reposts: null, quotes: null },
    mediaType,
    media: raw.media.map((item) => ({ type: item.type, url: new URL(item.url, baseUrl).toString() })),
    isReply: false,
    replyToAuthor: null,
    replyToCode: null,
    quotedPost: quoted
      ? {
          id: null,
          code: quoted.code,
          permalink: quoted.url,
          author: { username: quoted.username, verified: false },
          text: null,
          unavailable: false,
        }
      : null,
    viewerReplied: false,
    unavailable: false,
  };
}

/**
 * Gathers feed pages in order, drops posts already seen (the embedded first page and the first
 * response often overlap), and says when to stop: `limit` posts, no next page, or a cursor that
 * stopped moving.
 */
export class FeedCollector {
  private readonly posts = new Map<string, ThreadsPost>();
  private cursor: string | null = null;
  private hasNextPage = true;

  constructor(
    private readonly limit: number,
    private readonly baseUrl: string,
  ) {}

  /** Adds one page and returns how many posts were new. */
  add(page: FeedPage): number {
    const before = this.posts.size;
    for (const post of normalizeFeedThreads(page.threads, this.baseUrl)) {
      if (!this.posts.has(post.id)) this.posts.set(post.id, post);
    }

    if (page.pageInfo) {
      const { hasNextPage, endCursor } = page.pageInfo;
      const added = this.posts.size - before;
      const stuck = endCursor === null || (endCursor === this.cursor && added === 0);
      this.hasNextPage = hasNextPage && !stuck;
      if (endCursor !== null) this.cursor = endCursor;
    }
    return this.posts.size - before;
  }

  get size(): number {
    return this.posts.size;
  }

  get done(): boolean {
    return this.posts.size >= this.limit || !this.hasNextPage;
  }

  /** Returns the first `limit` posts, in feed order. */
  result(): ThreadsPost[] {
    return [...this.posts.values()].slice(0, this.limit);
  }
}
