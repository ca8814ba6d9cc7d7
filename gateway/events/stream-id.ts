/** A Redis Stream entry id: milliseconds and a sequence number, both unsigned 64-bit integers. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

const MAX_PART = 2n ** 64n - 1n;
const idPattern = /^(\d{1,20})-(\d{1,20})$/;

export const ZERO_ID = '0-0';

/** Parses `ms-seq`; returns null for anything else, including parts beyond 64 bits. */
export function parseStreamId(text: string): StreamId | null {
  const match = idPattern.exec(text);
  if (!match?.[1] || !match[2]) return null;

  const ms = BigInt(match[1]);
  const seq = BigInt(match[2]);
  if (ms > MAX_PART || seq > MAX_PART) return null;
  return { ms, seq };
}

/** Orders two stream ids like Redis does: negative when `a` comes first, 0 when equal. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** Compares two ids in text form; both must be valid stream ids. */
export function isAfter(a: string, b: string): boolean {
  const left = parseStreamId(a);
  const right = parseStreamId(b);
  if (!left || !right) {
    throw new Error(`cannot compare stream ids ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  }
  return compareStreamIds(left, right) > 0;
}
