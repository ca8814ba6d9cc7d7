import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import {
  type ClientConnection,
  type ClientEndReason,
  EventClient,
  type EventFilter,
  matchesFilter,
} from './client.js';
import { type StreamEntry, toRelayedEvent } from './entry.js';
import { isOutsideWindow, readPageAfter, readStreamWindow } from './replay.js';
import { commentFrame, commentWithIdFrame, eventFrame } from './sse.js';
import { parseStreamId } from './stream-id.js';

export interface RelayOptions {
  streamKey: string;
  /** Unsent bytes after which a client is disconnected. */
  maxBufferedBytes: number;
  /** Interval of the keep-alive comment, in milliseconds. */
  heartbeatMs?: number;
  /** Entries per `XREAD` and per replay page. */
  batchSize?: number;
}

/** Connected clients, and listeners the relay holds on their responses; both 0 when idle. */
export interface RelayGauge {
  clients: number;
  listeners: number;
}

/** Why a client must reload its state: the id it resumed from is not a valid or retained id. */
export type ResyncReason = 'invalid_id' | 'expired';

const BLOCK_MS = 5_000;
const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_BATCH_SIZE = 500;

function resyncFrame(id: string, reason: ResyncReason): Buffer {
  return eventFrame(id, 'resync', JSON.stringify({ reason }));
}

/**
 * Reads the event stream once per gateway process with one blocking `XREAD` and writes each entry
 * to every connected client whose filters match. A client that resumes from an id first replays
 * the retained entries after it from Redis; live entries that arrive meanwhile wait in the
 * client, and the ones the replay did not reach follow it, so none is lost or sent twice.
 *
 * The relay owns `reader` and disconnects it on `stop`; `commands` serves replays and stays open.
 */
export class EventRelay {
  private cursor: string | null = null;
  private readonly clients = new Set<EventClient>();
  private listenerCount = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wakeFromPause: (() => void) | null = null;
  private readyWaiters: Array<() => void> = [];
  private readonly heartbeatMs: number;
  private readonly batchSize: number;
  private readonly counter = { add: (count: number) => this.addListeners(count) };

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /** True once the relay knows where the stream ends, so it can take clients. */
  get ready(): boolean {
    return this.cursor !== null && !this.stopped;
  }

  gauge(): RelayGauge {
    return { clients: this.clients.size, listeners: this.listenerCount };
  }

  /** Resolves true once the relay is ready, or false after `timeoutMs` or on stop. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters = this.readyWaiters.filter((waiter) => waiter !== done);
        resolve(this.ready);
      };
      const timer = setTimeout(done, timeoutMs);
      this.readyWaiters.push(done);
    });
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Registers a client and queues the first comment, so the response starts with it. Without
   * `resumeFrom` the client starts with the next live entry; with it, the client first replays
   * the entries after that id, or gets a `resync` event when the id is malformed or expired.
   */
  connect(
    connection: ClientConnection,
    filter: EventFilter,
    resumeFrom: string | undefined,
    logger: Logger,
  ): EventClient {
    const cursor = this.cursor;
    if (cursor === null || this.stopped) {
      throw new Error('the event relay is not reading the stream yet');
    }

    const client = new EventClient(
      filter,
      connection,
      this.options.maxBufferedBytes,
      this.counter,
      (ended, reason) => this.handleEnd(ended, reason, logger),
    );
    this.clients.add(client);

    if (resumeFrom === undefined) {
      client.write(commentWithIdFrame('connected', cursor));
      client.goLive(cursor);
      return client;
    }

    client.write(commentFrame('connected'));
    this.replay(client, resumeFrom).catch((error: unknown) => {
      if (this.stopped || client.isClosed) return;
      logger.warn({ err: error }, 'event replay failed; ending the stream so the client resumes');
      client.end();
    });
    return client;
  }

  /** Ends every stream and stops reading; safe to call twice. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.wakeFromPause?.();
      for (const done of [...this.readyWaiters]) done();
      for (const client of [...this.clients]) client.end();
      this.reader.disconnect();
    }
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let checkWindow = false;
    while (!this.stopped) {
      try {
        if (this.cursor === null) {
          this.cursor = (await readStreamWindow(this.reader, this.options.streamKey)).lastGeneratedId;
          for (const done of [...this.readyWaiters]) done();
        } else if (checkWindow) {
          await this.resyncIfBehind();
        }
        checkWindow = false;

        const reply = await this.reader.xread(
          'COUNT',
          this.batchSize,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.options.streamKey,
          this.cursor,
        );
        failures = 0;
        for (const [, entries] of reply ?? []) this.dispatch(entries);
      } catch (error) {
        if (this.stopped) break;
        failures++;
        checkWindow = true;
        this.logger.warn({ err: error, failures }, 'reading the event stream failed; retrying');
        await this.pause(Math.min(failures * 200, 2_000));
      }
    }
  }

  private dispatch(entries: StreamEntry[]): void {
    for (const entry of entries) {
      this.cursor = entry[0];
      const event = toRelayedEvent(entry);
      if ('invalid' in event) {
        this.logger.warn({ id: entry[0], reason: event.invalid }, 'skipped a stream entry that is no event');
        continue;
      }
      for (const client of this.clients) client.offer(event);
    }
  }

  /**
   * After a read failure, entries the relay never read may have been trimmed meanwhile. Live
   * clients then get a `resync` and the relay continues from the newest entry. Replaying clients
   * read Redis themselves and find out on their own.
   */
  private async resyncIfBehind(): Promise<void> {
    const cursor = this.cursor;
    if (cursor === null) return;
    const window = await readStreamWindow(this.reader, this.options.streamKey);
    if (!isOutsideWindow(window, cursor)) return;

    this.logger.warn({ cursor, lastId: window.lastGeneratedId }, 'the relay fell behind the stream; resync');
    this.cursor = window.lastGeneratedId;
    const frame = resyncFrame(window.lastGeneratedId, 'expired');
    for (const client of this.clients) {
      if (client.isLive) client.write(frame);
    }
  }

  /**
   * Writes the retained entries after `resumeFrom` page by page, waiting for `drain` when the
   * client falls behind, then hands over to live delivery. The replay stops paging once it
   * reaches the end of the stream: every later entry comes through the relay into `pending`.
   */
  private async replay(client: EventClient, resumeFrom: string): Promise<void> {
    let after = resumeFrom;
    if (parseStreamId(resumeFrom) === null) {
      after = (await readStreamWindow(this.commands, this.options.streamKey)).lastGeneratedId;
      client.write(resyncFrame(after, 'invalid_id'));
    }

    while (!client.isClosed) {
      const page = await readPageAfter(this.commands, this.options.streamKey, after, this.batchSize);
      if (isOutsideWindow(page.window, after)) {
        after = page.window.lastGeneratedId;
        client.write(resyncFrame(after, 'expired'));
        continue;
      }

      for (const entry of page.entries) {
        after = entry[0];
        const event = toRelayedEvent(entry);
        if (!('invalid' in event) && matchesFilter(client.filter, event)) client.write(event.frame);
      }
      if (page.entries.length < this.batchSize) break;
      if (client.isCongested) await client.waitForDrain();
    }

    client.goLive(after);
  }

  private sendHeartbeat(): void {
    const cursor = this.cursor;
    const plain = commentFrame('keep-alive');
    const withId = cursor === null ? plain : commentWithIdFrame('keep-alive', cursor);
    for (const client of this.clients) client.write(client.isLive ? withId : plain);
  }

  private handleEnd(client: EventClient, reason: ClientEndReason, logger: Logger): void {
    this.clients.delete(client);
    if (reason === 'too slow') {
      logger.warn({ maxBufferedBytes: this.options.maxBufferedBytes }, 'event client too slow; dropped');
    } else {
      logger.debug({ reason }, 'event stream ended');
    }
  }

  private addListeners(count: number): void {
    this.listenerCount += count;
  }

  /** Waits `ms` before the next read attempt; `stop` ends the wait early. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeFromPause?.(), ms);
      this.wakeFromPause = () => {
        clearTimeout(timer);
        this.wakeFromPause = null;
        resolve();
      };
    });
  }
}
