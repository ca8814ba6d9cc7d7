import { ApiError, api, describeError } from './api.js';
import { byId, externalLink, h, safeHttpUrl, setMessage, timeElement } from './dom.js';
import { drafts, jobs, upsertDraft } from './state.js';
import { measureText } from './text-counts.js';

/** Statuses from which each action may start; the gateway enforces the same rules. */
const allowedFrom = {
  approve: ['pending'],
  reject: ['pending'],
  edit: ['pending', 'rejected', 'approved', 'scheduled'],
  revoke: ['approved', 'scheduled'],
  retry: ['failed'],
  delete: ['pending', 'rejected', 'approved', 'scheduled', 'failed', 'published'],
};

/** What the page says once the gateway accepted each action. */
const doneWords = {
  approve: 'Approved.',
  reject: 'Rejected.',
  edit: 'Changes saved.',
  revoke: 'Approval revoked; the draft is pending again.',
  retry: 'Queued for another attempt.',
};

const statusWords = {
  pending: 'Pending review',
  approved: 'Approved, waiting for the worker',
  scheduled: 'Scheduled',
  publishing: 'Publishing',
  published: 'Published',
  failed: 'Failed',
  unconfirmed: 'Unconfirmed: the worker is checking whether it was posted',
  rejected: 'Rejected',
};

function artifactUrl(jobId, name) {
  return `/api/jobs/${encodeURIComponent(jobId)}/artifacts/${encodeURIComponent(name)}`;
}

/** Formats a date as a `datetime-local` value in the browser's time zone. */
function localInputValue(date) {
  const pad = (value) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The open draft: its text as it will appear, its counts, the actions that its status allows and
 * its history. The forms are built once per draft, so a live update redraws the text and history
 * but never what the person is typing.
 */
export class DraftView {
  /** @param {{ announce: (text: string) => void, onDeleted: (id: string) => void }} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    this.container = byId('draft-view');
    this.empty = byId('draft-empty');
    this.panel = byId('draft-panel');
    this.draftId = null;
    this.parts = null;
    this.loadedJobs = new Set();
  }

  get draft() {
    return this.draftId ? (drafts.get(this.draftId) ?? null) : null;
  }

  /** Opens a draft: from the page's state at once, then fresh from the gateway. */
  async open(id) {
    if (this.draftId !== id) {
      this.draftId = id;
      this.build();
    }
    this.update();
    try {
      upsertDraft(await api('GET', `/api/drafts/${encodeURIComponent(id)}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.showGone();
        return;
      }
      setMessage(this.parts.actionError, describeError(error, 'Loading the draft'));
    }
  }

  close() {
    this.draftId = null;
    this.parts = null;
    this.container.replaceChildren();
    this.container.hidden = true;
    this.empty.hidden = false;
    this.empty.textContent = 'Pick a draft from the list.';
  }

  showGone() {
    this.close();
    this.empty.textContent = 'This draft was deleted.';
  }

  build() {
    const parts = {
      status: h('p', { class: 'status-line' }),
      text: h('div', { class: 'post-text', 'aria-label': 'Text as it will appear' }),
      counts: h('p', { class: 'counts', 'aria-live': 'polite' }),
      target: h('div', { class: 'reply-target' }),
      media: h('div', { class: 'media' }),
      actionError: h('p', { class: 'error', role: 'alert' }),
      actionMessage: h('p', { class: 'muted', 'aria-live': 'polite' }),
      history: h('section', { class: 'history', 'aria-labelledby': 'history-heading' }),
      buttons: {},
    };

    parts.buttons.approve = h('button', { type: 'button', 'aria-keyshortcuts': 'a' }, 'Approve now');
    parts.buttons.rejectOpen = h(
      'button',
      { type: 'button', class: 'danger', 'aria-keyshortcuts': 'r' },
      'Reject…',
    );
    parts.buttons.editOpen = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-keyshortcuts': 'e' },
      'Edit',
    );
    parts.buttons.revoke = h('button', { type: 'button', class: 'secondary' }, 'Revoke approval');
    parts.buttons.retry = h('button', { type: 'button', class: 'secondary' }, 'Retry publishing');
    parts.buttons.deleteOpen = h('button', { type: 'button', class: 'secondary' }, 'Delete…');

    parts.schedule = this.buildScheduleForm();
    parts.reject = this.buildRejectForm();
    parts.edit = this.buildEditForm();
    parts.deleteConfirm = this.buildDeleteConfirm();

    parts.buttons.approve.addEventListener('click', () => void this.approve());
    parts.buttons.rejectOpen.addEventListener('click', () => this.openForm('reject'));
    parts.buttons.editOpen.addEventListener('click', () => this.openForm('edit'));
    parts.buttons.revoke.addEventListener('click', () => void this.run('Revoking the approval', 'revoke'));
    parts.buttons.retry.addEventListener('click', () => void this.run('Retrying', 'retry'));
    parts.buttons.deleteOpen.addEventListener('click', () => this.openForm('deleteConfirm'));

    this.parts = parts;
    const actions = h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Actions on this draft' },
      h(
        'div',
        { class: 'button-row' },
        parts.buttons.approve,
        parts.buttons.rejectOpen,
        parts.buttons.editOpen,
        parts.buttons.revoke,
        parts.buttons.retry,
        parts.buttons.deleteOpen,
      ),
      parts.schedule.form,
      parts.reject.form,
      parts.edit.form,
      parts.deleteConfirm.form,
      parts.actionError,
      parts.actionMessage,
    );

    this.container.replaceChildren(
      parts.status,
      parts.text,
      parts.counts,
      parts.target,
      parts.media,
      actions,
      parts.history,
    );
    this.container.hidden = false;
    this.empty.hidden = true;
  }

  buildScheduleForm() {
    const input = h('input', { id: 'publish-at', type: 'datetime-local', required: true });
    const form = h(
      'form',
      { class: 'inline-form', novalidate: true },
      h('label', { for: 'publish-at' }, 'Or publish at'),
      input,
      h('button', { type: 'submit', class: 'secondary' }, 'Schedule'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const date = input.value ? new Date(input.value) : null;
      if (!date || Number.isNaN(date.getTime())) {
        setMessage(this.parts.actionError, 'Scheduling failed: pick a date and time first.');
        input.focus();
        return;
      }
      void this.approve(date.toISOString());
    });
    return { form, input };
  }

  buildRejectForm() {
    const reason = h('textarea', { id: 'reject-reason', rows: '2', maxlength: '500' });
    const form = h(
      'form',
      { class: 'stack', hidden: true, 'aria-label': 'Reject this draft' },
      h('label', { for: 'reject-reason' }, 'Reason for rejecting (optional, shown in the history)'),
      reason,
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'submit', class: 'danger' }, 'Reject'),
        this.cancelButton(),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = reason.value.trim();
      void this.run('Rejecting', 'reject', text ? { reason: text } : {}).then((done) => {
        if (done) this.closeForms();
      });
    });
    return { form, reason };
  }

  buildEditForm() {
    const content = h('textarea', { id: 'edit-content', rows: '8', 'aria-describedby': 'edit-counts' });
    const counts = h('p', { id: 'edit-counts', class: 'counts', 'aria-live': 'polite' });
    const media = h('textarea', { id: 'edit-media', rows: '2', spellcheck: 'false' });
    const stale = h('p', { class: 'warning', role: 'status', hidden: true });
    const form = h(
      'form',
      { class: 'stack', hidden: true, 'aria-label': 'Edit this draft' },
      h('label', { for: 'edit-content' }, 'Text'),
      content,
      counts,
      h('label', { for: 'edit-media' }, 'Media URLs, one per line'),
      media,
      stale,
      h('div', { class: 'button-row' }, h('button', { type: 'submit' }, 'Save changes'), this.cancelButton()),
    );
    const showCounts = () => {
      const measured = measureText(content.value);
      counts.textContent = measured.message;
      counts.className = `counts level-${measured.level}`;
    };
    content.addEventListener('input', showCounts);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const mediaUrls = media.value
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      void this.run('Saving the edit', 'edit', { content: content.value, mediaUrls }).then((done) => {
        if (done) this.closeForms();
      });
    });
    return { form, content, media, counts, stale, showCounts, baseVersion: 0 };
  }

  buildDeleteConfirm() {
    const confirm = h('button', { type: 'button', class: 'danger' }, 'Delete for good');
    const form = h(
      'div',
      { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm deletion' },
      h('p', {}, 'Delete this draft? This cannot be undone.'),
      h('div', { class: 'button-row' }, confirm, this.cancelButton()),
    );
    confirm.addEventListener('click', () => void this.remove());
    return { form, confirm };
  }

  cancelButton() {
    const button = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    button.addEventListener('click', () => this.closeForms(true));
    return button;
  }

  /** Shows one of the forms `reject`, `edit` or `deleteConfirm` and moves focus into it. */
  openForm(name) {
    const draft = this.draft;
    if (!draft || !this.parts) return;
    const action = name === 'deleteConfirm' ? 'delete' : name;
    if (!allowedFrom[action].includes(draft.status)) {
      setMessage(this.parts.actionError, `A ${draft.status} draft cannot be changed this way.`);
      return;
    }
    this.closeForms();
    setMessage(this.parts.actionError, '');
    const part = this.parts[name];
    part.form.hidden = false;
    if (name === 'reject') part.reason.focus();
    if (name === 'deleteConfirm') part.confirm.focus();
    if (name === 'edit') {
      part.content.value = draft.content;
      part.media.value = draft.mediaUrls.join('\n');
      part.baseVersion = draft.version;
      part.stale.hidden = true;
      part.showCounts();
      part.content.focus();
    }
  }

  /** Hides the forms; with `restoreFocus`, focus goes back to the action buttons. */
  closeForms(restoreFocus = false) {
    if (!this.parts) return;
    const wasOpen = [this.parts.reject, this.parts.edit, this.parts.deleteConfirm].some(
      (part) => !part.form.hidden,
    );
    for (const part of [this.parts.reject, this.parts.edit, this.parts.deleteConfirm])
      part.form.hidden = true;
    this.parts.reject.reason.value = '';
    if (restoreFocus && wasOpen) this.firstVisibleButton()?.focus();
  }

  firstVisibleButton() {
    return Object.values(this.parts?.buttons ?? {}).find((button) => !button.hidden) ?? null;
  }

  async approve(publishAt) {
    const body = publishAt ? { publishAt } : undefined;
    const action = publishAt ? 'Scheduling' : 'Approving';
    const done = await this.run(action, 'approve', body);
    if (done && this.parts) this.parts.schedule.input.value = '';
    return done;
  }

  /**
   * Sends one draft action and stores the draft it returns. Errors appear next to the buttons.
   * @returns {Promise<boolean>} true when the gateway accepted the action
   */
  async run(action, name, body) {
    const draft = this.draft;
    if (!draft || !this.parts) return false;
    if (!allowedFrom[name].includes(draft.status)) {
      setMessage(this.parts.actionError, `${action} is not possible: the draft is ${draft.status}.`);
      return false;
    }
    const id = encodeURIComponent(draft.id);
    const request =
      name === 'edit'
        ? api('PATCH', `/api/drafts/${id}`, { json: body })
        : api('POST', `/api/drafts/${id}/${name}`, body ? { json: body } : {});

    setMessage(this.parts.actionError, '');
    setMessage(this.parts.actionMessage, `${action}…`);
    try {
      const answer = await request;
      const updated = answer?.draft ? answer.draft : answer;
      upsertDraft(updated);
      const done = body?.publishAt ? 'Scheduled.' : doneWords[name];
      const jobNote = answer?.jobId ? ` Publish job ${answer.jobId}.` : '';
      if (this.parts) setMessage(this.parts.actionMessage, `${done}${jobNote}`);
      this.handlers.announce(done);
      return true;
    } catch (error) {
      if (this.parts) {
        setMessage(this.parts.actionMessage, '');
        setMessage(this.parts.actionError, describeError(error, action));
      }
      return false;
    }
  }

  async remove() {
    const draft = this.draft;
    if (!draft || !this.parts) return;
    setMessage(this.parts.actionError, '');
    try {
      await api('DELETE', `/api/drafts/${encodeURIComponent(draft.id)}`);
      this.handlers.announce('Draft deleted.');
      this.handlers.onDeleted(draft.id);
    } catch (error) {
      setMessage(this.parts.actionError, describeError(error, 'Deleting'));
    }
  }

  /** Redraws everything except the forms from the page's state. */
  update() {
    const draft = this.draft;
    const parts = this.parts;
    if (!draft || !parts) return;

    parts.status.replaceChildren(
      h('span', { class: `badge status-${draft.status}` }, draft.status),
      ` ${statusWords[draft.status] ?? draft.status}`,
    );
    parts.text.textContent = draft.content;
    const measured = measureText(draft.content);
    parts.counts.textContent = measured.message;
    parts.counts.className = `counts level-${measured.level}`;

    const replyUrl = safeHttpUrl(draft.replyTo);
    parts.target.replaceChildren(
      ...(draft.replyTo ? [h('strong', {}, 'Reply to: '), externalLink(replyUrl ?? draft.replyTo)] : []),
    );
    parts.media.replaceChildren(
      ...(draft.mediaUrls.length > 0
        ? [
            h('strong', {}, `Media (${draft.mediaUrls.length}), attached in this order:`),
            h('ol', {}, ...draft.mediaUrls.map((url) => h('li', {}, externalLink(url)))),
          ]
        : []),
    );

    parts.buttons.approve.hidden = !allowedFrom.approve.includes(draft.status);
    parts.schedule.form.hidden = parts.buttons.approve.hidden;
    if (!parts.schedule.form.hidden && parts.schedule.input.value === '') {
      parts.schedule.input.min = localInputValue(new Date());
    }
    parts.buttons.rejectOpen.hidden = !allowedFrom.reject.includes(draft.status);
    parts.buttons.editOpen.hidden = !allowedFrom.edit.includes(draft.status);
    parts.buttons.revoke.hidden = !allowedFrom.revoke.includes(draft.status);
    parts.buttons.retry.hidden = !allowedFrom.retry.includes(draft.status);
    parts.buttons.deleteOpen.hidden = !allowedFrom.delete.includes(draft.status);
    if (parts.buttons.rejectOpen.hidden) parts.reject.form.hidden = true;
    if (parts.buttons.deleteOpen.hidden) parts.deleteConfirm.form.hidden = true;
    if (!parts.edit.form.hidden && draft.version !== parts.edit.baseVersion) {
      parts.edit.stale.hidden = false;
      parts.edit.stale.textContent = `The draft changed while you were editing (now ${draft.status}). Saving replaces it with your text.`;
    }

    parts.history.replaceChildren(...this.renderHistory(draft));
    void this.loadJob(draft.approval?.jobId);
  }

  /** Reads a job the page has no events for, such as one that ran before the page opened. */
  async loadJob(jobId) {
    if (!jobId || jobs.has(jobId) || this.loadedJobs.has(jobId)) return;
    this.loadedJobs.add(jobId);
    try {
      const job = await api('GET', `/api/jobs/${encodeURIComponent(jobId)}`);
      if (jobs.has(jobId)) return;
      jobs.set(jobId, {
        name: job.name,
        draftId: this.draftId,
        state: job.state,
        attempt: job.attempts,
        steps: [],
        error: job.error,
        willRetry: false,
        result: job.result,
      });
      this.update();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404))
        console.warn(describeError(error, 'Loading the job'));
    }
  }

  renderHistory(draft) {
    const facts = h('dl', { class: 'facts' });
    const fact = (term, ...value) => facts.append(h('div', {}, h('dt', {}, term), h('dd', {}, ...value)));

    fact('Created', timeElement(draft.createdAt), ` by ${draft.createdBy}`);
    if (draft.approval) {
      const when = draft.approval.publishAt
        ? [' · publish at ', timeElement(draft.approval.publishAt)]
        : [' · publish now'];
      fact('Approved', timeElement(draft.approval.at), ` by ${draft.approval.by}`, ...when);
    }
    if (draft.rejection) {
      fact('Rejected', timeElement(draft.rejection.at), ` by ${draft.rejection.by}`);
      fact('Reason', draft.rejection.reason ?? 'none given');
    }
    if (draft.postUrl) fact('Post', externalLink(draft.postUrl));
    if (draft.publishedAt) fact('Published', timeElement(draft.publishedAt));
    if (draft.error) fact('Error', h('span', { class: 'error-text' }, draft.error));

    const sections = [h('h3', { id: 'history-heading' }, 'History'), facts];
    const jobId = draft.approval?.jobId;
    if (jobId) sections.push(...this.renderJob(jobId));
    sections.push(...this.renderAttempts(draft));
    return sections;
  }

  renderJob(jobId) {
    const job = jobs.get(jobId);
    const heading = h('h4', {}, 'Publish job ', h('code', {}, jobId));
    if (!job) return [heading, h('p', { class: 'muted' }, 'No news of this job yet.')];

    const state = h('p', { class: `job-state job-${job.state}` }, `State: ${job.state}`);
    if (job.error) state.append(` · ${job.error}`);
    const steps = h(
      'ol',
      { class: 'steps', 'aria-label': 'Steps of the publish job' },
      ...job.steps.map((step) =>
        h(
          'li',
          { class: `step step-${step.status}`, 'data-step': step.step },
          h('span', { class: 'step-name' }, step.step),
          ` · ${step.status}`,
          step.durationMs !== null && step.durationMs !== undefined
            ? ` · ${Math.round(step.durationMs)} ms`
            : '',
          step.artifact ? [' · ', h('a', { href: step.artifact.url }, step.artifact.name)] : [],
        ),
      ),
    );
    return [heading, state, steps];
  }

  renderAttempts(draft) {
    if (draft.attempts.length === 0)
      return [h('h4', {}, 'Attempts'), h('p', { class: 'muted' }, 'No publish attempt yet.')];

    const rows = draft.attempts.map((attempt) =>
      h(
        'tr',
        {},
        h('td', {}, timeElement(attempt.at, { timeOnly: true })),
        h('td', {}, attempt.phase),
        h('td', { class: `outcome-${attempt.outcome}` }, attempt.outcome),
        h('td', {}, attempt.detail ?? ''),
        h(
          'td',
          {},
          ...attempt.screenshots.map((name) => h('a', { href: artifactUrl(attempt.jobId, name) }, name)),
        ),
      ),
    );
    const table = h(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Publish attempts' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Time', 'Phase', 'Outcome', 'Detail', 'Screenshots'].map((name) =>
              h('th', { scope: 'col' }, name),
            ),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );

    const sections = [h('h4', {}, 'Attempts'), table];
    const composer = [...draft.attempts]
      .reverse()
      .find((attempt) => attempt.screenshots.includes('composer.png'));
    if (composer) {
      sections.push(
        h('h4', {}, 'Filled composer'),
        h(
          'figure',
          { class: 'screenshot' },
          h('img', {
            src: artifactUrl(composer.jobId, 'composer.png'),
            alt: 'Screenshot of the composer filled with this draft, taken before posting',
            loading: 'lazy',
          }),
          h('figcaption', {}, 'Taken before the click on Post, job ', h('code', {}, composer.jobId)),
        ),
      );
    }
    return sections;
  }
}
