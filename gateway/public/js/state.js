/**
 * The page's state: drafts by id, publish jobs by id, the browser status. Drafts carry a
 * `version` that grows with every change, so an older copy (a list loaded while events arrived,
 * or an event replayed after a reconnect) never replaces a newer one.
 */

/** @type {Map<string, any>} */
export const drafts = new Map();
/** Ids of drafts deleted while the page was open, so a list loaded earlier does not bring them back. */
const deletedIds = new Set();

/**
 * Jobs seen in events: state, steps in order, error and result.
 * @type {Map<string, { name: string, draftId: string | null, state: string, attempt: number, steps: any[], error: string | null, willRetry: boolean, result: any }>}
 */
export const jobs = new Map();

const listeners = new Set();

/** Calls `listener(change)` after every change; `change.kind` is `draft`, `job` or `reset`. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(change) {
  for (const listener of listeners) listener(change);
}

/** Stores a draft unless a newer version is known; returns true when it changed something. */
export function upsertDraft(draft, { silent = false } = {}) {
  if (!draft || typeof draft.id !== 'string' || deletedIds.has(draft.id)) return false;
  const known = drafts.get(draft.id);
  if (known && known.version > draft.version) return false;
  if (known && known.version === draft.version && known.status === draft.status) return false;
  drafts.set(draft.id, draft);
  if (!silent) notify({ kind: 'draft', id: draft.id, draft, previous: known ?? null });
  return true;
}

export function removeDraft(id) {
  deletedIds.add(id);
  const known = drafts.get(id);
  drafts.delete(id);
  notify({ kind: 'draft', id, draft: null, previous: known ?? null });
}

/** Replaces every draft of `status` (or all drafts when null) with `items` from a fresh list. */
export function replaceDrafts(status, items) {
  for (const [id, draft] of drafts) {
    if (status === null || draft.status === status) drafts.delete(id);
  }
  for (const draft of items) {
    if (!deletedIds.has(draft.id)) drafts.set(draft.id, draft);
  }
  notify({ kind: 'reset' });
}

function jobFor(data) {
  let job = jobs.get(data.jobId);
  if (!job) {
    job = {
      name: data.name,
      draftId: data.draftId ?? null,
      state: 'queued',
      attempt: 0,
      steps: [],
      error: null,
      willRetry: false,
      result: null,
    };
    jobs.set(data.jobId, job);
  }
  return job;
}

/** Applies a `job.*` event and returns the job. */
export function applyJobEvent(type, data) {
  const job = jobFor(data);
  switch (type) {
    case 'job.queued':
      job.state = data.delayMs > 0 ? 'delayed' : 'queued';
      break;
    case 'job.active':
      job.state = 'active';
      job.attempt = data.attempt;
      job.error = null;
      break;
    case 'job.progress': {
      const key = `${job.attempt}|${data.index ?? ''}|${data.step}`;
      const step = job.steps.find((entry) => entry.key === key);
      const entry = {
        key,
        attempt: job.attempt,
        step: data.step,
        status: data.status,
        durationMs: data.durationMs,
        artifact: data.artifact,
        at: new Date().toISOString(),
      };
      if (step) Object.assign(step, entry);
      else job.steps.push(entry);
      break;
    }
    case 'job.completed':
      job.state = 'completed';
      job.result = data.result;
      break;
    case 'job.failed':
      job.state = data.willRetry ? 'retrying' : 'failed';
      job.error = data.error;
      job.willRetry = data.willRetry;
      break;
    default:
      break;
  }
  notify({ kind: 'job', jobId: data.jobId, job });
  return job;
}

/** Drafts of `status` (all when empty), newest first: ids are ULIDs, which sort by creation time. */
export function draftsWithStatus(status) {
  return [...drafts.values()]
    .filter((draft) => !status || draft.status === status)
    .sort((left, right) => right.id.localeCompare(left.id));
}
