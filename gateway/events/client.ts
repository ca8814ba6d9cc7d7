import type { ServerResponse } from 'node:http';
import type { EventTopic, EventType } from '../../shared/events.js';
import { isAfter } from './stream-id.js';

/** One stream entry as the relay fans it out: parsed once, encoded once. */
export interface RelayedEvent {
  id: string;
  type: EventType;
  topic: EventTopic;
  /** The job the payload names, for the `?job=` filter; null for events of no job. */
  jobId: string | null;
  frame: Buffer;
}

/** The filters of one client: null lets everything through. */
export interface EventFilter {
  topics: ReadonlySet<EventTopic> | null;
  jobId: string | null;
}

export function matchesFilter(filter: EventFilter, event: RelayedEvent): boolean {
  if (filter.topics && !filter.topics.has(event.topic)) return false;
  if (filter.jobId !== null && event.jobId !== filter.jobId) return false;
  return true;
}

export type ClientEndReason = 'client closed' | 'too slow' | 'shutdown';

/** Counts the listeners that clients hold, for the relay's gauge. */
export interface ListenerCounter {
  add(count: number): void;
}

/** The connection under a client: a signal for its closing and a handle to cut it. */
export interface ClientConnection {
  /** Aborts when the client goes away, also before anything was written. */
  signal: AbortSignal;
  /**
   * The Node.js response under the stream, when the server is @hono/node-server. Frames then go
   * to it directly once its headers are out, which skips a promise per frame, and a stalled client
   * is cut by destroying it. Without it, every frame goes through `stream`.
   */
  response: ServerResponse | null;
}

/**
 * One `GET /api/events` response body. While the client replays older entries, live events wait
 * in `pending`. Then `goLive` writes the ones the replay did not reach, and later live events are
 * written at once. A client whose unsent bytes pass `maxBufferedBytes` is disconnected, so a reader that
 * stalls keeps about that much memory at most.
 */
export class EventClient {
  readonly stream: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private live = false;
  private closed = false;
  private pending: RelayedEvent[] = [];
  private pendingBytes = 0;
  private drainWaiters: Array<() => void> = [];
  private listeningForAbort = false;
  /**
   * The last id the replay wrote. The replay reads Redis directly and can get ahead of the relay's
   * `XREAD`, so live events up to this id arrive once more and are skipped.
   */
  private replayedUpTo: string | null = null;
  /** True once frames go straight to `connection.response`. */
  private direct = false;
  private firstFrameQueued = false;
  /** Frames written after the first one and before the response's headers went out. */
  private backlog: Buffer[] = [];
  private backlogBytes = 0;
  private backlogTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly filter: EventFilter,
    private readonly connection: ClientConnection,
    private readonly maxBufferedBytes: number,
    private readonly listeners: ListenerCounter,
    private readonly onEnd: (client: EventClient, reason: ClientEndReason) => void,
  ) {
    // The queue counts bytes: `desiredSize` is the bound minus the bytes the server has not yet
    // handed to the socket. @hono/node-server reads the next chunk only after the socket drains.
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.releaseDrainWaiters(),
        cancel: () => this.finish('client closed'),
      },
      { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength },
    );

    if (connection.signal.aborted) {
      this.finish('client closed');
      return;
    }
    connection.signal.addEventListener('abort', this.handleAbort);
    this.listeningForAbort = true;
    listeners.add(1);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isLive(): boolean {
    return this.live && !this.closed;
  }

  /** Bytes written and not yet handed to the socket. */
  private get queuedBytes(): number {
    const response = this.connection.response;
    if (this.direct && response) return response.writableLength;
    return this.backlogBytes + this.maxBufferedBytes - (this.controller?.desiredSize ?? 0);
  }

  /** Writes a frame now, whatever the replay state; false once the client is gone. */
  write(frame: Buffer): boolean {
    if (this.closed || !this.controller) return false;

    this.send(frame);
    if (this.queuedBytes > this.maxBufferedBytes) {
      this.drop();
      return false;
    }
    return true;
  }

  /**
   * Sends the first frame through `stream`, so @hono/node-server writes it with the headers. Later
   * frames wait in `backlog` until the headers are out and then go to the response directly. The
   * stream's queue is empty by then, so the order holds.
   */
  private send(frame: Buffer): void {
    const response = this.connection.response;
    if (this.direct && response) {
      response.write(frame);
      return;
    }
    if (!response || !this.firstFrameQueued) {
      this.firstFrameQueued = true;
      this.controller?.enqueue(frame);
      return;
    }
    if (response.headersSent && this.backlog.length === 0) {
      this.goDirect(response);
      response.write(frame);
      return;
    }

    this.backlog.push(frame);
    this.backlogBytes += frame.length;
    this.backlogTimer ??= setTimeout(() => this.flushBacklog(), 1);
  }

  /** Moves the backlog to the response once its headers are out; checks again every millisecond. */
  private flushBacklog(): void {
    this.backlogTimer = null;
    const response = this.connection.response;
    if (this.closed || !response) return;
    if (!response.headersSent) {
      this.backlogTimer = setTimeout(() => this.flushBacklog(), 1);
      return;
    }

    this.goDirect(response);
    const backlog = this.backlog;
    this.backlog = [];
    this.backlogBytes = 0;
    for (const frame of backlog) response.write(frame);
    if (this.queuedBytes > this.maxBufferedBytes) this.drop();
  }

  private goDirect(response: ServerResponse): void {
    this.direct = true;
    response.on('drain', this.handleDrain);
    this.listeners.add(1);
  }

  private readonly handleDrain = (): void => {
    this.releaseDrainWaiters();
  };

  /** Takes a live event: written when the client is live, kept for `goLive` while it replays. */
  offer(event: RelayedEvent): void {
    if (this.closed || !matchesFilter(this.filter, event)) return;
    if (this.live) {
      if (this.replayedUpTo !== null) {
        if (!isAfter(event.id, this.replayedUpTo)) return;
        this.replayedUpTo = null;
      }
      this.write(event.frame);
      return;
    }

    this.pending.push(event);
    this.pendingBytes += event.frame.length;
    if (this.pendingBytes + this.queuedBytes > this.maxBufferedBytes) {
      this.drop();
    }
  }

  /**
   * Writes the pending events that come after `replayedUpTo`, in order, then goes live. Live
   * events up to `replayedUpTo` that the relay has not read yet are skipped when they arrive.
   */
  goLive(replayedUpTo: string): void {
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    let lastWritten = replayedUpTo;
    for (const event of pending) {
      if (!isAfter(event.id, lastWritten)) continue;
      if (!this.write(event.frame)) return;
      lastWritten = event.id;
    }
    this.replayedUpTo = lastWritten;
    this.live = true;
  }

  /** True when more than half the bound is queued, so a replay should wait before reading more. */
  get isCongested(): boolean {
    return this.queuedBytes > this.maxBufferedBytes / 2;
  }

  /** Resolves once the queue is below half the bound again, or the client is gone. */
  waitForDrain(): Promise<void> {
    if (this.closed || !this.isCongested) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.listeners.add(1);
    });
  }

  /** Ends the stream after the queued bytes; used at shutdown, so the client reconnects elsewhere. */
  end(): void {
    if (this.closed) return;
    this.controller?.close();
    this.finish('shutdown');
  }

  /** Cuts the connection of a client that stopped reading, without waiting for its queue. */
  private drop(): void {
    if (this.closed) return;
    if (this.connection.response) {
      this.connection.response.destroy();
    } else {
      this.controller?.error(new Error('event client too slow'));
    }
    this.finish('too slow');
  }

  private readonly handleAbort = (): void => {
    this.finish('client closed');
  };

  private releaseDrainWaiters(force = false): void {
    if (this.drainWaiters.length === 0 || (!force && this.isCongested)) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    this.listeners.add(-waiters.length);
    for (const resolve of waiters) resolve();
  }

  private finish(reason: ClientEndReason): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;

    if (this.listeningForAbort) {
      this.listeningForAbort = false;
      this.connection.signal.removeEventListener('abort', this.handleAbort);
      this.listeners.add(-1);
    }
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    this.backlogTimer = null;
    this.backlog = [];
    this.backlogBytes = 0;
    if (this.direct && this.connection.response) {
      this.connection.response.off('drain', this.handleDrain);
      this.listeners.add(-1);
    }
    this.releaseDrainWaiters(true);
    this.onEnd(this, reason);
  }
}
