/** Event names the gateway sends on `GET /api/events`. */
export const EVENT_TYPES = [
  'draft.created',
  'draft.updated',
  'draft.deleted',
  'job.queued',
  'job.active',
  'job.progress',
  'job.completed',
  'job.failed',
  'browser.status',
  'feed.updated',
];

const MAX_RETRY_MS = 10_000;

/**
 * The tab's one `EventSource` on `/api/events`. The browser reconnects by itself after a dropped
 * connection and resumes with `Last-Event-ID`. When it gives up instead (the gateway returned an
 * error such as 503 while starting), this class opens a new source after a back-off and passes the
 * id of the last event it handled as `?lastEventId=`, so the gateway replays what was missed.
 */
export class LiveConnection {
  /**
   * @param {{
   *   onEvent: (type: string, data: any, id: string) => void,
   *   onResync: () => void,
   *   onState: (state: 'connecting' | 'open' | 'reconnected' | 'disconnected') => void,
   *   checkSignedIn: () => Promise<boolean>,
   * }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.source = null;
    this.lastEventId = null;
    this.retryTimer = null;
    this.failures = 0;
    this.everOpened = false;
    this.disconnected = false;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  open() {
    this.source?.close();
    const query = this.lastEventId ? `?lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const source = new EventSource(`/api/events${query}`);
    this.source = source;
    this.handlers.onState(this.everOpened ? 'disconnected' : 'connecting');

    source.addEventListener('open', () => {
      if (source !== this.source) return;
      this.failures = 0;
      const wasDown = this.disconnected;
      const firstOpen = !this.everOpened;
      this.everOpened = true;
      this.disconnected = false;
      this.handlers.onState(wasDown ? 'reconnected' : 'open');
      // Without an event id to resume from, what happened while no source was open is unknown.
      if (!firstOpen && this.lastEventId === null) this.handlers.onResync();
    });

    source.addEventListener('error', () => {
      if (source !== this.source || this.stopped) return;
      if (!this.disconnected) {
        this.disconnected = true;
        this.handlers.onState('disconnected');
      }
      if (source.readyState === EventSource.CLOSED) this.scheduleReopen();
    });

    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => this.handle(source, type, message));
    }
    source.addEventListener('resync', (message) => {
      if (source !== this.source) return;
      if (message.lastEventId) this.lastEventId = message.lastEventId;
      this.handlers.onResync();
    });
  }

  handle(source, type, message) {
    if (source !== this.source) return;
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      console.warn(`ignored a ${type} event whose data is not JSON`);
      return;
    }
    if (message.lastEventId) this.lastEventId = message.lastEventId;
    this.handlers.onEvent(type, data, message.lastEventId);
  }

  async scheduleReopen() {
    this.source?.close();
    this.failures++;
    const delay = Math.min(500 * 2 ** (this.failures - 1), MAX_RETRY_MS);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(async () => {
      if (this.stopped) return;
      // A 401 also closes the source: stop here rather than retry with a session that has ended.
      if (!(await this.handlers.checkSignedIn())) return;
      if (!this.stopped) this.open();
    }, delay);
  }
}
