import type { Redis } from 'ioredis';
import type { StreamEntry } from './entry.js';
import { compareStreamIds, parseStreamId, ZERO_ID } from './stream-id.js';

/** What `XINFO STREAM` tells about the retained window; `exists` is false when there is no stream. */
export interface StreamWindow {
  exists: boolean;
  lastGeneratedId: string;
  /** The newest id removed by `XDEL`; null before Redis 7.0, which does not report it. */
  maxDeletedId: string | null;
  firstEntryId: string | null;
}

const missingStream: StreamWindow = {
  exists: false,
  lastGeneratedId: ZERO_ID,
  maxDeletedId: null,
  firstEntryId: null,
};

function isNoSuchKey(error: unknown): boolean {
  return error instanceof Error && /no such key/i.test(error.message);
}

/** Reads the flat field list of an `XINFO STREAM` reply. */
function toWindow(reply: unknown): StreamWindow {
  if (!Array.isArray(reply)) throw new Error('XINFO STREAM returned no field list');
  const fields = new Map<string, unknown>();
  for (let index = 0; index + 1 < reply.length; index += 2) {
    fields.set(String(reply[index]), reply[index + 1]);
  }

  const lastGenerated = fields.get('last-generated-id');
  const maxDeleted = fields.get('max-deleted-entry-id');
  const firstEntry = fields.get('first-entry');
  return {
    exists: true,
    lastGeneratedId: typeof lastGenerated === 'string' ? lastGenerated : ZERO_ID,
    maxDeletedId: typeof maxDeleted === 'string' ? maxDeleted : null,
    firstEntryId: Array.isArray(firstEntry) && typeof firstEntry[0] === 'string' ? firstEntry[0] : null,
  };
}

export async function readStreamWindow(redis: Redis, key: string): Promise<StreamWindow> {
  try {
    return toWindow(await redis.xinfo('STREAM', key));
  } catch (error) {
    if (isNoSuchKey(error)) return missingStream;
    throw error;
  }
}

/**
 * True when events after `afterId` may be gone, or `afterId` was never issued by this stream, so the
 * client must reload its state. Trimming removes the oldest entries first, so an id at or after the
 * oldest retained entry has lost nothing. Redis 7.0 reports `max-deleted-entry-id` for `XDEL` only,
 * not for trimming, so the oldest entry is the test.
 */
export function isOutsideWindow(window: StreamWindow, afterId: string): boolean {
  const after = parseStreamId(afterId);
  if (!after) return true;
  if (!window.exists) return afterId !== ZERO_ID;

  const lastGenerated = parseStreamId(window.lastGeneratedId);
  if (!lastGenerated || compareStreamIds(after, lastGenerated) > 0) return true;

  const maxDeleted = window.maxDeletedId === null ? null : parseStreamId(window.maxDeletedId);
  if (maxDeleted && compareStreamIds(after, maxDeleted) < 0) return true;

  // NOTE: a client whose last id was itself the newest trimmed entry also gets a resync, because
  // the ids alone cannot tell it apart from one that missed entries.
  const first = window.firstEntryId === null ? null : parseStreamId(window.firstEntryId);
  if (!first) return compareStreamIds(after, lastGenerated) < 0;
  return compareStreamIds(after, first) < 0;
}

export interface ReplayPage {
  window: StreamWindow;
  entries: StreamEntry[];
}

/**
 * Reads up to `count` entries after `afterId` together with the retained window, in one MULTI, so
 * the window check and the entries describe the same moment of the stream.
 */
export async function readPageAfter(
  redis: Redis,
  key: string,
  afterId: string,
  count: number,
): Promise<ReplayPage> {
  const results = await redis
    .multi()
    .xinfo('STREAM', key)
    .xrange(key, `(${afterId}`, '+', 'COUNT', count)
    .exec();
  const [info, range] = results ?? [];
  if (!info || !range) throw new Error('MULTI for the event replay returned no results');

  const [infoError, infoReply] = info;
  if (infoError) {
    if (isNoSuchKey(infoError)) return { window: missingStream, entries: [] };
    throw infoError;
  }
  const window = toWindow(infoReply);

  const [rangeError, rangeReply] = range;
  if (rangeError) {
    // An exclusive start at the largest possible id is an error in Redis; such an id is past the
    // window anyway, so the caller sends a resync.
    if (isOutsideWindow(window, afterId)) return { window, entries: [] };
    throw rangeError;
  }
  return { window, entries: rangeReply as StreamEntry[] };
}
