import { ApiError, api, describeError } from './api.js';
import { byId, externalLink, h, setMessage, timeElement } from './dom.js';

const STATUS_POLL_MS = 5_000;

function loginTone(loggedIn) {
  if (loggedIn === true) return 'good';
  if (loggedIn === false) return 'bad';
  return '';
}

function yesNo(value, unknown = 'not checked yet') {
  if (value === null || value === undefined) return unknown;
  return value ? 'yes' : 'no';
}

/**
 * The worker and its browser: status, pause and resume, the latest screenshot, the feed snapshot
 * and session import. The status is read on every `browser.status` event and every few seconds,
 * because a worker that dies sends no event: its heartbeat just expires.
 */
export class BrowserPanel {
  /** @param {{ announce: (text: string) => void }} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    this.status = byId('browser-status');
    this.statusError = byId('browser-status-error');
    this.pause = /** @type {HTMLButtonElement} */ (byId('worker-pause'));
    this.resume = /** @type {HTMLButtonElement} */ (byId('worker-resume'));
    this.controlError = byId('worker-control-error');
    this.screenshot = byId('latest-screenshot');
    this.feedRefresh = /** @type {HTMLButtonElement} */ (byId('feed-refresh'));
    this.feedMessage = byId('feed-message');
    this.feedError = byId('feed-error');
    this.feedList = byId('feed-list');
    this.sessionForm = /** @type {HTMLFormElement} */ (byId('session-form'));
    this.sessionFile = /** @type {HTMLInputElement} */ (byId('session-file'));
    this.sessionMessage = byId('session-message');
    this.sessionError = byId('session-error');
    this.pollTimer = null;
    this.lastWorkerUp = null;

    this.pause.addEventListener('click', () => void this.control('pause'));
    this.resume.addEventListener('click', () => void this.control('resume'));
    this.feedRefresh.addEventListener('click', () => void this.refreshFeed());
    this.sessionForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.importSession();
    });
  }

  start() {
    this.stop();
    void this.loadStatus();
    void this.loadFeed();
    this.pollTimer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.loadStatus();
    }, STATUS_POLL_MS);
  }

  stop() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  async loadStatus() {
    try {
      this.showStatus(await api('GET', '/api/browser/status'));
      setMessage(this.statusError, '');
    } catch (error) {
      setMessage(this.statusError, describeError(error, 'Reading the browser status'));
    }
  }

  /** Draws a `GET /api/browser/status` response or the data of a `browser.status` event. */
  showStatus(status) {
    const rows = [
      ['Worker', status.workerUp ? 'up' : 'down', status.workerUp ? 'good' : 'bad'],
      ['Browser', status.browserUp ? 'up' : 'down', status.browserUp ? 'good' : 'bad'],
      ['Logged in', yesNo(status.loggedIn), loginTone(status.loggedIn)],
      [
        'Needs a person',
        status.needsHuman ? `yes: ${status.needsHumanReason ?? 'no reason given'}` : 'no',
        status.needsHuman ? 'bad' : 'good',
      ],
      ['Posting', status.paused ? 'paused' : 'running', status.paused ? 'warn' : 'good'],
      ['Current job', status.currentJob ?? 'none', ''],
      ['Posts left today', String(status.quota?.postsLeft ?? '—'), ''],
      ['Replies left today', String(status.quota?.repliesLeft ?? '—'), ''],
    ];
    const items = rows.map(([term, value, tone]) =>
      h(
        'div',
        { 'data-fact': term },
        h('dt', {}, term),
        h('dd', { class: tone ? `tone-${tone}` : null }, value),
      ),
    );
    if (status.quota?.resetsAt) {
      items.push(h('div', {}, h('dt', {}, 'Quota resets'), h('dd', {}, timeElement(status.quota.resetsAt))));
    }
    if (status.heartbeatAt) {
      items.push(h('div', {}, h('dt', {}, 'Last heartbeat'), h('dd', {}, timeElement(status.heartbeatAt))));
    }
    this.status.replaceChildren(...items);
    this.status.dataset.workerUp = String(status.workerUp);
    this.pause.disabled = status.paused === true;
    this.resume.disabled = status.paused === false && status.needsHuman !== true;

    if (this.lastWorkerUp !== null && this.lastWorkerUp !== status.workerUp) {
      this.handlers.announce(status.workerUp ? 'The worker is up again.' : 'The worker is down.');
    }
    this.lastWorkerUp = status.workerUp;
  }

  async control(action) {
    const words = action === 'pause' ? 'Pausing' : 'Resuming';
    setMessage(this.controlError, '');
    try {
      await api('POST', `/api/worker/${action}`);
      this.handlers.announce(action === 'pause' ? 'Posting paused.' : 'Posting resumed.');
      await this.loadStatus();
    } catch (error) {
      setMessage(this.controlError, describeError(error, words));
    }
  }

  /** Shows a screenshot a job just took. */
  showScreenshot(artifact, caption) {
    if (!artifact?.url?.startsWith('/api/')) return;
    this.screenshot.replaceChildren(
      h('img', { src: artifact.url, alt: `Screenshot: ${caption}` }),
      h('figcaption', {}, caption),
    );
  }

  async loadFeed() {
    setMessage(this.feedError, '');
    try {
      const snapshot = await api('GET', '/api/browser/feed');
      this.showFeed(snapshot);
    } catch (error) {
      // A 404 of the route itself reads "no route for ..."; any other 404 means no snapshot yet.
      if (error instanceof ApiError && error.status === 404 && !error.message.startsWith('no route')) {
        this.feedMessage.textContent = 'No feed read yet. Refresh to read it.';
        this.feedList.replaceChildren();
        return;
      }
      setMessage(this.feedError, describeError(error, 'Reading the feed'));
    }
  }

  showFeed(snapshot) {
    const posts = Array.isArray(snapshot?.posts) ? snapshot.posts : [];
    this.feedMessage.replaceChildren(`${posts.length} posts, read `, timeElement(snapshot?.fetchedAt));
    this.feedList.replaceChildren(
      ...posts.map((post) => {
        const author = post.author?.username ? `@${post.author.username}` : 'unknown author';
        return h(
          'li',
          {},
          h('p', { class: 'feed-author' }, author, ' · ', timeElement(post.takenAt)),
          h('p', { class: 'post-text small' }, post.text ?? ''),
          post.permalink ? externalLink(post.permalink, 'Open on Threads') : null,
        );
      }),
    );
  }

  async refreshFeed() {
    setMessage(this.feedError, '');
    this.feedRefresh.disabled = true;
    try {
      const answer = await api('POST', '/api/browser/feed/refresh', { json: {} });
      this.feedMessage.textContent = `Reading the feed (job ${answer?.jobId ?? 'queued'})…`;
    } catch (error) {
      setMessage(this.feedError, describeError(error, 'Refreshing the feed'));
    } finally {
      this.feedRefresh.disabled = false;
    }
  }

  async importSession() {
    setMessage(this.sessionError, '');
    setMessage(this.sessionMessage, '');
    const file = this.sessionFile.files?.[0];
    if (!file) {
      setMessage(this.sessionError, 'Importing failed: choose a storage state file first.');
      this.sessionFile.focus();
      return;
    }
    const text = await file.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      setMessage(this.sessionError, `Importing failed: ${file.name} is not JSON.`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.cookies)) {
      setMessage(
        this.sessionError,
        `Importing failed: ${file.name} is not a Playwright storage state (expected {"cookies": [...], "origins": [...]}).`,
      );
      return;
    }
    try {
      const answer = await api('PUT', '/api/browser/session', { text });
      setMessage(
        this.sessionMessage,
        `Session import queued as job ${answer?.jobId ?? ''}. The status shows the login once it is checked.`,
      );
      this.sessionFile.value = '';
    } catch (error) {
      setMessage(this.sessionError, describeError(error, 'Importing the session'));
    }
  }
}
