import { randomInt } from 'node:crypto';
import {
  FEED_QUERY_NAME,
  type FeedQueryJson,
  type PageInfoJson,
  PROFILE_THREADS_QUERY_NAME,
  type ProfileThreadsQueryJson,
  type ThreadJson,
} from './post-json.js';
import type { SiteStore } from './store.js';

/** Threads per page when the request sets no `first`. */
const DEFAULT_PAGE_SIZE = 8;
const MAX_PAGE_SIZE = 50;

/** Creates a `doc_id` per operation, new at every start, as the real ids rotate. */
export function createDocIds(): Record<string, string> {
  const docIds: Record<string, string> = {};
  for (const name of [FEED_QUERY_NAME, PROFILE_THREADS_QUERY_NAME]) {
    docIds[name] = String(randomInt(1_000_000_000, 9_999_999_999)) + String(randomInt(100_000, 999_999));
  }
  return docIds;
}

export interface GraphqlRequest {
  friendlyName: string;
  docId: string;
  variables: string;
}

interface GraphqlError {
  message: string;
  severity: 'CRITICAL';
}

/** Runs a GraphQL request. Errors return as HTTP 200 with `errors` and `data: null`, like the real API. */
export function answerGraphql(
  store: SiteStore,
  docIds: Record<string, string>,
  request: GraphqlRequest,
): unknown {
  const expectedDocId = docIds[request.friendlyName];
  if (!expectedDocId) {
    return failure(`Unknown operation ${JSON.stringify(request.friendlyName)}`);
  }
  if (request.docId !== expectedDocId) {
    return failure(
      `doc_id ${JSON.stringify(request.docId)} does not match operation ${request.friendlyName}`,
    );
  }

  let variables: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(request.variables || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return failure('variables must be a JSON object');
    }
    variables = parsed as Record<string, unknown>;
  } catch {
    return failure('variables is not valid JSON');
  }

  const page = readPageVariables(variables);
  if (typeof page === 'string') {
    return failure(page);
  }

  if (request.friendlyName === FEED_QUERY_NAME) {
    return feedPage(store, page);
  }

  const userId = variables.userID;
  const user = typeof userId === 'string' ? store.findUserByPk(userId) : undefined;
  if (!user) {
    return failure(`userID ${JSON.stringify(userId)} is not a known user`);
  }
  return profileThreadsPage(store, user.pk, page);
}

/** Returns a page of the home feed. */
function feedPage(store: SiteStore, page: PageVariables): FeedQueryJson {
  const { threads, pageInfo, cursors } = slicePage(store.homeThreads(), page, (codes) =>
    store.toThreadJson(codes),
  );
  return {
    data: {
      feedData: {
        edges: threads.map((thread, index) => ({
          node: { text_post_app_thread: thread },
          cursor: cursors[index]!,
        })),
        page_info: pageInfo,
      },
    },
  };
}

/** Returns a page of a user's threads tab, newest first. Server-rendered profile pages embed the first one. */
export function profileThreadsPage(
  store: SiteStore,
  userPk: string,
  page: PageVariables,
): ProfileThreadsQueryJson {
  const codes = store.postsBy(userPk).map((post) => [post.code]);
  const { threads, pageInfo, cursors } = slicePage(codes, page, (thread) => store.toThreadJson(thread));
  return {
    data: {
      mediaData: {
        edges: threads.map((thread, index) => ({ node: thread, cursor: cursors[index]! })),
        page_info: pageInfo,
      },
    },
  };
}

export interface PageVariables {
  first: number;
  /** Offset of the first thread, decoded from the `after` cursor. */
  offset: number;
}

function readPageVariables(variables: Record<string, unknown>): PageVariables | string {
  const first = variables.first ?? DEFAULT_PAGE_SIZE;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    return `first must be an integer from 1 to ${MAX_PAGE_SIZE}`;
  }

  const after = variables.after ?? null;
  if (after === null) {
    return { first, offset: 0 };
  }
  const offset = typeof after === 'string' ? decodeCursor(after) : undefined;
  if (offset === undefined) {
    return `after ${JSON.stringify(after)} is not a cursor of this feed`;
  }
  return { first, offset };
}

function slicePage(
  all: string[][],
  page: PageVariables,
  toThread: (codes: string[]) => ThreadJson,
): { threads: ThreadJson[]; cursors: string[]; pageInfo: PageInfoJson } {
  const slice = all.slice(page.offset, page.offset + page.first);
  const cursors = slice.map((_, index) => encodeCursor(page.offset + index + 1));
  const hasNext = page.offset + slice.length < all.length;
  return {
    threads: slice.map(toThread),
    cursors,
    pageInfo: { has_next_page: hasNext, end_cursor: cursors.at(-1) ?? null },
  };
}

/** Encodes the offset of the next thread as an opaque cursor. */
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function failure(message: string): { errors: GraphqlError[]; data: null } {
  return { errors: [{ message, severity: 'CRITICAL' }], data: null };
}
