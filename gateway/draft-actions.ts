import type { JobsOptions } from 'bullmq';
import { allowedFrom, type Draft, type DraftStatus, hashDraftContent } from '../shared/drafts.js';
import { ConflictError, toError, UnavailableError } from '../shared/errors.js';
import { jobRetryOptions, publishJobId } from '../shared/jobs.js';
import type { GatewayDeps } from './deps.js';

type Deps = Pick<GatewayDeps, 'store' | 'queue' | 'events' | 'logger'>;

function isOneOf(status: DraftStatus, allowed: readonly DraftStatus[]): boolean {
  return allowed.includes(status);
}

function wrongState(action: string, draft: Draft): ConflictError {
  return new ConflictError(`cannot ${action} a draft that is ${draft.status}`, { status: draft.status });
}

/** Marks an approval that found the draft already approved; carries the existing job. */
class AlreadyApproved extends Error {
  constructor(readonly draft: Draft) {
    super('already approved');
  }
}

export interface QueuedDraft {
  draft: Draft;
  jobId: string;
}

/** Removes the draft's publish job if it has not started; an active job keeps its lock. */
async function removePublishJob(deps: Deps, draft: Draft): Promise<void> {
  const jobId = draft.approval?.jobId;
  if (!jobId) return;
  await deps.queue.remove(jobId);
}

async function enqueuePublish(deps: Deps, draft: Draft, now: Date): Promise<string> {
  const approval = draft.approval;
  if (!approval) {
    throw new Error(`draft ${draft.id} has no approval to queue`);
  }
  const delay = approval.publishAt ? Math.max(0, Date.parse(approval.publishAt) - now.getTime()) : 0;
  const options: JobsOptions = { jobId: approval.jobId, delay, ...jobRetryOptions.publish };
  await deps.queue.add('publish', { draftId: draft.id, approvalHash: approval.hash }, options);
  await deps.events.append({
    type: 'job.queued',
    data: { jobId: approval.jobId, name: 'publish', draftId: draft.id, delayMs: delay },
  });
  return approval.jobId;
}

/**
 * Approves a pending draft and queues its publish job. A repeated approval of an approved or
 * scheduled draft returns the existing job; if queueing fails, the draft goes back to pending.
 */
export async function approveDraft(
  deps: Deps,
  id: string,
  by: string,
  publishAt: string | undefined,
  now = new Date(),
): Promise<QueuedDraft> {
  const scheduled = publishAt !== undefined && Date.parse(publishAt) > now.getTime();
  let approved: Draft;
  try {
    const { after } = await deps.store.update(id, (draft) => {
      if (draft.status === 'approved' || draft.status === 'scheduled') return new AlreadyApproved(draft);
      if (!isOneOf(draft.status, allowedFrom.approve)) return wrongState('approve', draft);
      const approvals = draft.approvals + 1;
      return {
        ...draft,
        status: scheduled ? 'scheduled' : 'approved',
        approvals,
        approval: {
          by,
          at: now.toISOString(),
          hash: hashDraftContent(draft),
          publishAt: scheduled && publishAt ? new Date(publishAt).toISOString() : null,
          jobId: publishJobId(draft.id, approvals),
        },
        rejection: null,
        error: null,
      };
    });
    approved = after;
  } catch (error) {
    if (error instanceof AlreadyApproved && error.draft.approval) {
      // The job can be missing when queueing failed and its rollback failed too; it is added again.
      const jobId = error.draft.approval.jobId;
      if ((await deps.queue.getJobState(jobId)) === 'unknown') {
        deps.logger.warn({ draftId: id, jobId }, 'approved draft had no job; queueing it again');
        await enqueuePublish(deps, error.draft, now);
      }
      return { draft: error.draft, jobId };
    }
    throw error;
  }

  return queueOrRollBack(deps, approved, now);
}

/** Puts a failed draft back to approved with a new approval number, and queues a new job. */
export async function retryDraft(deps: Deps, id: string, by: string, now = new Date()): Promise<QueuedDraft> {
  const { after } = await deps.store.update(id, (draft) => {
    if (!isOneOf(draft.status, allowedFrom.retry)) return wrongState('retry', draft);
    const approvals = draft.approvals + 1;
    return {
      ...draft,
      status: 'approved',
      approvals,
      approval: {
        by,
        at: now.toISOString(),
        hash: hashDraftContent(draft),
        publishAt: null,
        jobId: publishJobId(draft.id, approvals),
      },
      error: null,
    };
  });
  return queueOrRollBack(deps, after, now);
}

async function queueOrRollBack(deps: Deps, draft: Draft, now: Date): Promise<QueuedDraft> {
  try {
    const jobId = await enqueuePublish(deps, draft, now);
    return { draft, jobId };
  } catch (error) {
    deps.logger.error(
      { err: error, draftId: draft.id },
      'queueing the publish job failed; sending the draft back',
    );
    const jobId = draft.approval?.jobId;
    await deps.store
      .update(draft.id, (current) =>
        current.approval?.jobId === jobId && isOneOf(current.status, ['approved', 'scheduled'])
          ? { ...current, status: 'pending', approval: null }
          : new ConflictError('draft changed meanwhile'),
      )
      .catch((rollbackError: unknown) => {
        deps.logger.error({ err: rollbackError, draftId: draft.id }, 'rolling back the approval failed');
      });
    throw new UnavailableError('could not queue the publish job; the draft is back to pending', {
      cause: toError(error),
    });
  }
}

export async function rejectDraft(
  deps: Deps,
  id: string,
  by: string,
  reason: string | undefined,
): Promise<Draft> {
  const now = new Date().toISOString();
  const { after } = await deps.store.update(id, (draft) => {
    if (!isOneOf(draft.status, allowedFrom.reject)) return wrongState('reject', draft);
    return { ...draft, status: 'rejected', rejection: { by, at: now, reason: reason ?? null } };
  });
  return after;
}

/** Sends an approved or scheduled draft back to pending and removes its job. */
export async function revokeDraft(deps: Deps, id: string): Promise<Draft> {
  const { before, after } = await deps.store.update(id, (draft) => {
    if (!isOneOf(draft.status, allowedFrom.revoke)) return wrongState('revoke', draft);
    return { ...draft, status: 'pending', approval: null };
  });
  await removePublishJob(deps, before);
  return after;
}

/** Edits content or media; an approved or scheduled draft loses its approval and its job. */
export async function editDraft(
  deps: Deps,
  id: string,
  patch: { content?: string | undefined; mediaUrls?: string[] | undefined },
): Promise<Draft> {
  const { before, after } = await deps.store.update(id, (draft) => {
    if (!isOneOf(draft.status, allowedFrom.edit)) return wrongState('edit', draft);
    return {
      ...draft,
      content: patch.content ?? draft.content,
      mediaUrls: patch.mediaUrls ?? draft.mediaUrls,
      status: 'pending',
      approval: null,
      rejection: null,
    };
  });
  if (before.status === 'approved' || before.status === 'scheduled') {
    await removePublishJob(deps, before);
  }
  return after;
}

export async function deleteDraft(deps: Deps, id: string): Promise<void> {
  const deleted = await deps.store.delete(id, (draft) =>
    isOneOf(draft.status, allowedFrom.delete) ? null : wrongState('delete', draft),
  );
  await removePublishJob(deps, deleted);
}
