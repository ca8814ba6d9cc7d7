import { UnrecoverableError } from 'bullmq';
import { allowedFrom, type Draft, hashDraftContent } from '../../shared/drafts.js';
import { ConflictError } from '../../shared/errors.js';
import type { JobPayloads } from '../../shared/jobs.js';
import { SiteError } from '../sites/threads/adapter.js';
import type { JobContext, JobResult } from './context.js';
import {
  attempt,
  backToApproved,
  commitOf,
  logAttempt,
  markFailed,
  markPublished,
  markUnconfirmed,
} from './draft-transitions.js';

/**
 * Publishes an approved draft in three phases: prepare (open the composer, type, screenshot),
 * commit (one click on Post, never repeated), verify (the toast's link, else a read-back).
 */
export async function publish(context: JobContext, payload: JobPayloads['publish']): Promise<JobResult> {
  const jobId = context.job.id ?? '';
  const draft = await context.store.get(payload.draftId);
  if (!draft) throw new UnrecoverableError(`draft ${payload.draftId} no longer exists`);
  if (draft.status === 'published' && draft.postUrl) return { postUrl: draft.postUrl };
  if (draft.approval?.jobId !== jobId) {
    throw new UnrecoverableError(
      `draft ${draft.id} is no longer approved for job ${jobId} (it is ${draft.status})`,
    );
  }

  // A commit record of this job means an earlier run died during or after the click: the post may
  // exist, so this run only settles the outcome.
  if (commitOf(draft, jobId)) {
    const verifyJob = await markUnconfirmed(
      context,
      draft.id,
      jobId,
      'the worker stopped after clicking Post',
    );
    return { postUrl: null, verifyJobId: verifyJob };
  }
  if (draft.status === 'unconfirmed') return { postUrl: null };
  if (!allowedFrom.startPublishing.includes(draft.status as 'approved')) {
    throw new UnrecoverableError(`draft ${draft.id} is ${draft.status}, not approved`);
  }

  const hash = hashDraftContent(draft);
  if (hash !== payload.approvalHash || hash !== draft.approval.hash) {
    const message = 'the draft content differs from what was approved; nothing was posted';
    await markFailed(context, draft.id, jobId, 'prepare', message);
    throw new UnrecoverableError(message);
  }

  const prepared = await prepare(context, draft, jobId);
  try {
    return await commitAndVerify(context, prepared, jobId);
  } catch (error) {
    if (error instanceof UnrecoverableError) throw error;
    // Anything that breaks after the commit record leaves the outcome unknown; retrying would click again.
    context.logger.error({ err: error, draftId: draft.id }, 'publish failed after the commit record');
    const verifyJobId = await markUnconfirmed(
      context,
      draft.id,
      jobId,
      `publishing stopped after the click: ${String(error).slice(0, 200)}`,
    );
    return { postUrl: null, verifyJobId };
  }
}

async function prepare(context: JobContext, draft: Draft, jobId: string): Promise<Draft> {
  await context.store.update(draft.id, (current) => {
    if (
      current.approval?.jobId !== jobId ||
      !allowedFrom.startPublishing.includes(current.status as 'approved')
    ) {
      return new ConflictError(`draft ${draft.id} changed to ${current.status} before publishing`);
    }
    return {
      ...current,
      status: 'publishing',
      attempts: [...current.attempts, attempt(jobId, 'prepare', 'started')],
    };
  });

  try {
    const login = await context.adapter.checkLogin(context.page);
    if (!login.loggedIn) {
      throw new SiteError(
        login.reason === 'unknown_page' ? 'selector_missing' : login.reason,
        `not logged in to Threads (${login.reason})`,
      );
    }

    await context.progress('opening the composer', 'started');
    if (draft.replyTo) {
      await openReplyComposer(context, draft.replyTo, login.username);
    } else {
      await context.adapter.openComposer(context.page);
    }
    await context.progress('typing', 'started');
    await context.adapter.typeText(context.page, draft.content);
    const typed = await context.adapter.readEditorText(context.page);
    if (normalizeTyped(typed) !== normalizeTyped(draft.content)) {
      throw new SiteError('text_mismatch', 'the composer does not show the approved text after typing');
    }

    const bytes = await context.adapter.screenshotComposer(context.page);
    const artifact = await context.artifacts.save(jobId, 'composer.png', 'image/png', bytes);
    await context.progress('screenshot taken', 'succeeded', { artifact });
    return await logAttempt(context, draft.id, attempt(jobId, 'prepare', 'succeeded', null, [artifact.name]));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SiteError && needsPerson.has(error.code)) {
      // The job waits for a person; the draft stays approved and nothing was typed or posted.
      await backToApproved(context, draft.id, jobId, message);
      throw error;
    }
    const final =
      context.isLastAttempt() || error instanceof SiteError || error instanceof UnrecoverableError;
    context.logger.warn({ err: error, draftId: draft.id, final }, 'prepare phase failed');
    if (final) {
      await markFailed(context, draft.id, jobId, 'prepare', message);
      throw new UnrecoverableError(message);
    }
    await backToApproved(context, draft.id, jobId, message);
    throw error;
  }
}

async function commitAndVerify(context: JobContext, draft: Draft, jobId: string): Promise<JobResult> {
  // The commit record is stored before the click, so a worker killed mid-click never clicks again.
  await logAttempt(context, draft.id, attempt(jobId, 'commit', 'started'));
  const committedAt = Date.now();
  try {
    await context.adapter.clickPost(context.page);
  } catch (error) {
    context.logger.error({ err: error, draftId: draft.id }, 'clicking Post failed; outcome unknown');
    const verifyJobId = await markUnconfirmed(
      context,
      draft.id,
      jobId,
      `clicking Post failed: ${String(error).slice(0, 200)}`,
    );
    return { postUrl: null, verifyJobId };
  }
  await context.progress('submitted', 'succeeded');

  await context.progress('verifying', 'started');
  const outcome = await context.adapter.waitForOutcome(context.page, context.config.TOAST_TIMEOUT_MS);
  if (outcome.kind === 'posted') {
    await markPublished(context, draft.id, jobId, outcome.postUrl);
    await context.progress('verified', 'succeeded');
    return { postUrl: outcome.postUrl };
  }
  if (outcome.kind === 'failed') {
    await markFailed(context, draft.id, jobId, 'commit', outcome.message);
    // A block notice means the account is restricted: nothing else may be posted until a person looks.
    if (outcome.blocked) await context.setNeedsHuman('action_blocked');
    throw new UnrecoverableError(outcome.message);
  }

  const since = Math.floor(committedAt / 1000);
  const username = await context.username();
  const postUrl = await context.adapter.findOwnPost(context.page, username, draft.content, since);
  if (postUrl) {
    await markPublished(context, draft.id, jobId, postUrl);
    await context.progress('verified', 'succeeded');
    return { postUrl, verifiedBy: 'read-back' };
  }

  const verifyJobId = await markUnconfirmed(
    context,
    draft.id,
    jobId,
    `${outcome.message}, and the post was not found on the profile yet`,
  );
  return { postUrl: null, verifyJobId };
}

const needsPerson = new Set(['login_required', 'checkpoint', 'action_blocked']);

/** Reads the reply target again and opens its reply composer; a target that is gone or already has a reply fails for good. */
async function openReplyComposer(context: JobContext, replyTo: string, username: string): Promise<void> {
  const refusal = context.urlGuard.policy.check(replyTo);
  if (refusal) throw new UnrecoverableError(`the reply target is not allowed: ${refusal}`);
  const target = await context.adapter.readReplyTarget(context.page, replyTo, username);
  if (target.kind === 'gone') throw new UnrecoverableError(`the post to reply to is gone: ${replyTo}`);
  if (target.kind === 'already_replied')
    throw new UnrecoverableError(`the account already replied to ${replyTo}`);
  await context.adapter.openReplyComposer(context.page, replyTo);
}

/** Compares typed text without the trailing newline and the non-breaking spaces some editors render. */
function normalizeTyped(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(/\n+$/, '');
}
