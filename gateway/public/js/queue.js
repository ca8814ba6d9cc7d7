import { api, describeError } from './api.js';
import { byId, h, setMessage, timeElement } from './dom.js';
import { draftsWithStatus, replaceDrafts, upsertDraft } from './state.js';
import { measureText } from './text-counts.js';

const PAGE_SIZE = 50;
const PREVIEW_LENGTH = 140;

/** The list of drafts on the left: one status at a time, newest first, with "load older". */
export class QueueView {
  /** @param {{ onSelect: (id: string, options: { focus: boolean }) => void }} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    this.list = byId('queue-list');
    this.filter = /** @type {HTMLSelectElement} */ (byId('queue-filter'));
    this.more = /** @type {HTMLButtonElement} */ (byId('queue-more'));
    this.summary = byId('queue-summary');
    this.error = byId('queue-error');
    this.selectedId = null;
    this.nextCursor = null;
    this.loadToken = 0;

    this.filter.addEventListener('change', () => void this.load());
    this.more.addEventListener('click', () => void this.loadMore());
    this.list.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button[data-id]') : null;
      if (button instanceof HTMLButtonElement && button.dataset.id) {
        this.handlers.onSelect(button.dataset.id, { focus: false });
      }
    });
  }

  get status() {
    return this.filter.value;
  }

  /** Loads the first page of the chosen status, replacing what the page held for it. */
  async load() {
    const token = ++this.loadToken;
    setMessage(this.error, '');
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (this.status) query.set('status', this.status);
    try {
      const page = await api('GET', `/api/drafts?${query}`);
      if (token !== this.loadToken) return;
      replaceDrafts(this.status || null, page.items);
      this.nextCursor = page.nextCursor;
      this.render();
    } catch (error) {
      if (token === this.loadToken) setMessage(this.error, describeError(error, 'Loading the drafts'));
    }
  }

  async loadMore() {
    if (!this.nextCursor) return;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), cursor: this.nextCursor });
    if (this.status) query.set('status', this.status);
    setMessage(this.error, '');
    try {
      const page = await api('GET', `/api/drafts?${query}`);
      for (const draft of page.items) upsertDraft(draft, { silent: true });
      this.nextCursor = page.nextCursor;
      this.render();
    } catch (error) {
      setMessage(this.error, describeError(error, 'Loading older drafts'));
    }
  }

  visibleIds() {
    return draftsWithStatus(this.status).map((draft) => draft.id);
  }

  /** Redraws the list, keeping keyboard focus on the same draft when it was in the list. */
  render() {
    const focusedId =
      document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement)
        ? document.activeElement.dataset.id
        : null;
    const items = draftsWithStatus(this.status);
    const label = this.filter.selectedOptions[0]?.textContent ?? 'All';

    this.list.replaceChildren(...items.map((draft) => this.renderItem(draft)));
    this.summary.textContent =
      items.length === 0
        ? `No drafts: ${label.toLowerCase()}.`
        : `${items.length} shown: ${label.toLowerCase()}.`;
    this.more.hidden = !this.nextCursor;

    if (focusedId) {
      const again = this.list.querySelector(`button[data-id="${CSS.escape(focusedId)}"]`);
      if (again instanceof HTMLElement) again.focus();
    }
  }

  renderItem(draft) {
    const counts = measureText(draft.content);
    const firstLine = draft.content.split('\n')[0] ?? '';
    const preview = firstLine.length > PREVIEW_LENGTH ? `${firstLine.slice(0, PREVIEW_LENGTH)}…` : firstLine;
    const extras = [`${counts.characters} chars`, `${counts.links} links`];
    if (draft.replyTo) extras.push('reply');
    if (draft.mediaUrls.length > 0) extras.push(`${draft.mediaUrls.length} media`);
    const selected = draft.id === this.selectedId;

    return h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: `queue-item${selected ? ' selected' : ''}`,
          'data-id': draft.id,
          'aria-current': selected ? 'true' : null,
        },
        h('span', { class: `badge status-${draft.status}` }, draft.status),
        h('span', { class: 'preview' }, preview),
        h(
          'span',
          { class: `meta level-${counts.level}` },
          timeElement(draft.createdAt),
          ` · ${extras.join(' · ')}`,
        ),
      ),
    );
  }

  select(id) {
    this.selectedId = id;
    this.render();
  }

  /** Returns the id `step` places after the selected one in the list (j is +1, k is -1), or null. */
  neighbour(step) {
    const ids = this.visibleIds();
    if (ids.length === 0) return null;
    const index = this.selectedId === null ? -1 : ids.indexOf(this.selectedId);
    if (index === -1) return ids[0];
    return ids[Math.min(Math.max(index + step, 0), ids.length - 1)];
  }

  focusItem(id) {
    const button = this.list.querySelector(`button[data-id="${CSS.escape(id)}"]`);
    if (button instanceof HTMLElement) button.focus();
  }
}
