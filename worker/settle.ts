import type { Job } from 'bullmq';
import type { Draft } from '../shared/drafts.js';
import { verifyJobId } from '../shared/jobs.js';
import type { BrowserQueue } from '../shared/queue.js';
import { commitOf, markFailed, markUnconfirmed, type TransitionDeps } from './jobs/draft-transitions.js';

const pendingStates = new Set(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']);

/**
 * Moves a draft whose publish job ended for good into a state a person can act on: unconfirmed
 * (with a verify job) when the click may have happened, failed otherwise.
 */
async function settlePublish(
  deps: TransitionDeps,
  draft: Draft,
  jobId: string,
  reason: string,
): Promise<void> {
  if (draft.approval?.jobId !== jobId) return;
  if (!['approved', 'scheduled', 'publishing'].includes(draft.status)) return;

  if (commitOf(draft, jobId)) {
    await markUnconfirmed(deps, draft.id, jobId, `the publish job ended after the click: ${reason}`);
    return;
  }
  await markFailed(deps, draft.id, jobId, 'prepare', `publishing failed before the click: ${reason}`);
}

/** Settles the draft of a publish or verify job that failed for the last time. */
export async function settleAfterFinalFailure(deps: TransitionDeps, job: Job, reason: string): Promise<void> {
  const draftId = (job.data as { draftId?: unknown } | null)?.draftId;
  if (typeof draftId !== 'string') return;
  const draft = await deps.store.get(draftId);
  if (!draft) return;

  if (job.name === 'publish') {
    await settlePublish(deps, draft, job.id ?? '', reason);
    return;
  }
  if (job.name === 'verify' && draft.status === 'unconfirmed') {
    const message = `the post could not be confirmed (${reason}); check the account before retrying`;
    await markFailed(deps, draft.id, job.id ?? '', 'verify', message);
  }
}

/**
 * Finds drafts left publishing or unconfirmed with no job that will settle them, as after a worker
 * killed twice during one job, and settles them. Runs when the worker starts.
 */
export async function reconcileDrafts(deps: TransitionDeps, queue: BrowserQueue): Promise<number> {
  let settled = 0;
  for (const status of ['publishing', 'unconfirmed'] as const) {
    let after: string | undefined;
    do {
      const page = await deps.store.list({ status, limit: 100, after });
      for (const draft of page.items) {
        const publishJobId = draft.approval?.jobId;
        if (!publishJobId) continue;
        const watching = status === 'publishing' ? publishJobId : verifyJobId(publishJobId);
        if (pendingStates.has(await queue.getJobState(watching))) continue;

        if (status === 'publishing') {
          await settlePublish(deps, draft, publishJobId, 'the worker stopped during the job');
        } else {
          await markUnconfirmed(deps, draft.id, publishJobId, 'no verify job was left to settle the outcome');
        }
        settled++;
      }
      after = page.nextCursor ?? undefined;
    } while (after);
  }
  return settled;
}
