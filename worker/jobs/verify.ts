import { UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '../../shared/jobs.js';
import type { JobContext, JobResult } from './context.js';
import { commitOf, markFailed, markPublished } from './draft-transitions.js';

/**
 * Settles an unconfirmed draft by reading the account's posts back: published with the URL when a
 * post with the exact text appeared after the click, failed after the last attempt. Never posts.
 */
export async function verify(context: JobContext, payload: JobPayloads['verify']): Promise<JobResult> {
  const jobId = context.job.id ?? '';
  const draft = await context.store.get(payload.draftId);
  if (!draft) throw new UnrecoverableError(`draft ${payload.draftId} no longer exists`);
  if (draft.status === 'published') return { postUrl: draft.postUrl };
  if (draft.status !== 'unconfirmed') {
    throw new UnrecoverableError(`draft ${draft.id} is ${draft.status}, not unconfirmed`);
  }

  const commit = commitOf(draft, payload.publishJobId);
  const committedAt = commit ? Date.parse(commit.at) : Date.parse(draft.updatedAt);
  const username = await context.username();
  await context.progress('verifying', 'started');
  const postUrl = await context.adapter.findOwnPost(
    context.page,
    username,
    draft.content,
    Math.floor(committedAt / 1000),
  );
  if (postUrl) {
    await markPublished(context, draft.id, jobId, postUrl);
    await context.progress('verified', 'succeeded');
    return { postUrl };
  }

  if (context.isLastAttempt()) {
    const message =
      'the post was not found on the profile after clicking Post; check the account before retrying';
    await markFailed(context, draft.id, jobId, 'verify', message);
    throw new UnrecoverableError(message);
  }
  throw new Error('the post is not on the profile yet');
}
