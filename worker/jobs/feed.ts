import { FeedStore } from '../../shared/feed.js';
import type { JobPayloads } from '../../shared/jobs.js';
import { readHomeFeed } from '../sites/threads/feed-reader.js';
import type { JobContext, JobResult } from './context.js';

/**
 * Reads the home feed up to `limit` posts, stores it as the latest snapshot and announces it with a
 * `feed.updated` event. A GraphQL response with errors or an empty body fails the job, so an expired
 * session never replaces the snapshot with an empty feed.
 */
export async function feed(context: JobContext, payload: JobPayloads['feed']): Promise<JobResult> {
  const started = performance.now();
  await context.progress('open home', 'started');

  const read = await readHomeFeed(context.page, {
    baseUrl: context.config.THREADS_BASE_URL,
    limit: payload.limit,
    timeoutMs: context.config.STEP_TIMEOUT_MS,
    onPage: (index, source) => context.progress(`read ${source} feed page`, 'succeeded', { index }),
  });
  context.logger.info({ count: read.posts.length, source: read.source, pages: read.pages }, 'feed read');

  const snapshot = { posts: read.posts, fetchedAt: new Date().toISOString(), source: read.source };
  await new FeedStore(context.redisCommands, context.keys).save(snapshot);
  await context.events.append({
    type: 'feed.updated',
    data: { count: snapshot.posts.length, fetchedAt: snapshot.fetchedAt },
  });
  await context.progress('store snapshot', 'succeeded', {
    durationMs: Math.round(performance.now() - started),
  });

  return {
    count: snapshot.posts.length,
    fetchedAt: snapshot.fetchedAt,
    source: read.source,
    posts: snapshot.posts,
  };
}
