import { type Attempt, allowedFrom, type Draft } from '../../shared/drafts.js';
import { ConflictError } from '../../shared/errors.js';
import { jobRetryOptions, verifyJobId } from '../../shared/jobs.js';
import type { JobContext } from './context.js';

/** The parts of a job context that draft transitions use, so the runner can call them outside a job. */
export type TransitionDeps = Pick<JobContext, 'store' | 'queue' | 'events' | 'logger' | 'quota'>;

type Phase = Attempt['phase'];
type Outcome = Attempt['outcome'];

export function attempt(
  jobId: string,
  phase: Phase,
  outcome: Outcome,
  detail: string | null = null,
  screenshots: string[] = [],
): Attempt {
  return { jobId, phase, outcome, at: new Date().toISOString(), detail, screenshots };
}

/** Returns the commit record of this job, present once the click was about to happen. */
export function commitOf(draft: Draft, jobId: string): Attempt | undefined {
  return draft.attempts.find((entry) => entry.jobId === jobId && entry.phase === 'commit');
}

/** Appends an attempt entry, refusing if the draft no longer belongs to this job. */
export async function logAttempt(
  context: TransitionDeps,
  draftId: string,
  entry: Attempt,
  changes: Partial<Draft> = {},
): Promise<Draft> {
  const { after } = await context.store.update(draftId, (draft) => {
    if (draft.approval?.jobId !== entry.jobId && !entry.jobId.startsWith('verify-')) {
      return new ConflictError(`draft ${draftId} is no longer approved for job ${entry.jobId}`);
    }
    return { ...draft, ...changes, attempts: [...draft.attempts, entry] };
  });
  return after;
}

export async function markPublished(
  context: TransitionDeps,
  draftId: string,
  jobId: string,
  postUrl: string,
): Promise<Draft> {
  const { before, after } = await context.store.update(draftId, (draft) => ({
    ...draft,
    status: 'published',
    postUrl,
    publishedAt: new Date().toISOString(),
    error: null,
    attempts: [...draft.attempts, attempt(jobId, 'verify', 'succeeded', postUrl)],
  }));
  if (before.status !== 'published') {
    await context.quota.record(before.replyTo ? 'replies' : 'posts', draftId);
  }
  return after;
}

export async function markFailed(
  context: TransitionDeps,
  draftId: string,
  jobId: string,
  phase: Phase,
  error: string,
): Promise<Draft> {
  const { after } = await context.store.update(draftId, (draft) => ({
    ...draft,
    status: 'failed',
    error,
    attempts: [...draft.attempts, attempt(jobId, phase, 'failed', error)],
  }));
  return after;
}

/** Puts a draft whose prepare phase failed back to approved, so the job's retry can pick it up. */
export async function backToApproved(
  context: TransitionDeps,
  draftId: string,
  jobId: string,
  error: string,
): Promise<void> {
  await context.store.update(draftId, (draft) => {
    if (draft.status !== 'publishing' || draft.approval?.jobId !== jobId) {
      return new ConflictError(`draft ${draftId} is ${draft.status}`);
    }
    return {
      ...draft,
      status: 'approved',
      error,
      attempts: [...draft.attempts, attempt(jobId, 'prepare', 'failed', error)],
    };
  });
}

/**
 * Marks the outcome of a click as unknown and queues a verify job, which settles the draft by
 * reading the account's posts back, without posting again.
 */
export async function markUnconfirmed(
  context: TransitionDeps,
  draftId: string,
  publishJobId: string,
  reason: string,
): Promise<string> {
  const { after } = await context.store.update(draftId, (draft) => {
    if (draft.status === 'published' || draft.status === 'unconfirmed') return draft;
    if (!allowedFrom.startPublishing.includes(draft.status as 'approved')) {
      return new ConflictError(`draft ${draftId} is ${draft.status}`);
    }
    return {
      ...draft,
      status: 'unconfirmed',
      error: reason,
      attempts: [...draft.attempts, attempt(publishJobId, 'verify', 'unknown', reason)],
    };
  });

  const jobId = verifyJobId(publishJobId);
  if (after.status === 'published') return jobId;

  // A verify job of an earlier settlement keeps its id in the finished sets, where a new add with
  // the same id would do nothing, so it is removed first.
  const earlier = await context.queue.getJob(jobId);
  if (earlier && ['completed', 'failed'].includes(await earlier.getState())) await earlier.remove();
  await context.queue.add(
    'verify',
    { draftId, publishJobId },
    { jobId, delay: 2_000, ...jobRetryOptions.verify },
  );
  await context.events.append({
    type: 'job.queued',
    data: { jobId, name: 'verify', draftId, delayMs: 2_000 },
  });
  context.logger.warn({ draftId, verifyJobId: jobId, reason }, 'post outcome unknown; verify job queued');
  return jobId;
}
