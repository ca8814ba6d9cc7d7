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
  /** Destroys the socket at once; null where the server offers no such handle. */
  destroy: (() => void) | null;
}

/**
 * One `GET /api/events` response body. While the client replays older entries, live events wait
 * in `pending`. Then `goLive` writes the ones the replay did not reach, and later live events are
 * written at once. A client whose unsent bytes pass `maxBufferedBytes` is disconnected, so a reader that
 * stalls holds about that much memory at most.
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

  /** Bytes queued and not yet taken by the server. */
  private get queuedBytes(): number {
    return this.maxBufferedBytes - (this.controller?.desiredSize ?? 0);
  }

  /** Writes a frame now, whatever the replay state; false once the client is gone. */
  write(frame: Buffer): boolean {
    if (this.closed || !this.controller) return false;

    this.controller.enqueue(frame);
    if (this.queuedBytes > this.maxBufferedBytes) {
      this.drop();
      return false;
    }
    return true;
  }

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
    if (this.connection.destroy) {
      this.connection.destroy();
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
    this.releaseDrainWaiters(true);
    this.onEnd(this, reason);
  }
}
