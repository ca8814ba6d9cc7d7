import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DraftStore } from '../shared/draft-store.js';
import type { Draft } from '../shared/drafts.js';
import { EventWriter } from '../shared/events.js';
import { createLogger } from '../shared/logger.js';
import { type BrowserQueue, createBrowserQueue } from '../shared/queue.js';
import { keyspace } from '../shared/redis.js';
import { attempt } from '../worker/jobs/draft-transitions.js';
import { Quota } from '../worker/quota.js';
import { reconcileDrafts } from '../worker/settle.js';
import { TestRedis } from './helpers/redis.js';

const keys = keyspace('browser');
let server: TestRedis;
let redis: Redis;
let queue: BrowserQueue;
let queueConnection: Redis;
let deps: Parameters<typeof reconcileDrafts>[0];

beforeAll(async () => {
  server = await TestRedis.start();
  redis = server.client();
  queueConnection = server.client();
  queue = createBrowserQueue(queueConnection, 'browser', 'browser');
  deps = {
    store: new DraftStore(redis, keys, 1_000),
    queue,
    events: new EventWriter(redis, keys.events, 1_000),
    logger: createLogger({ LOG_LEVEL: 'silent', LOG_PRETTY: false }, 'test'),
    quota: new Quota(redis, keys, { posts: 10, replies: 10 }),
  };
});

afterAll(async () => {
  await queue?.close();
  queueConnection?.disconnect();
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushdb();
});

/** A draft left in `publishing` by a job that no longer exists, with or without a commit record. */
async function strandedDraft(committed: boolean): Promise<Draft> {
  const draft = await deps.store.create({ content: `stranded ${committed}` }, 'approver');
  const jobId = `publish-${draft.id}-1`;
  const { after } = await deps.store.update(draft.id, (current) => ({
    ...current,
    status: 'publishing',
    approvals: 1,
    approval: { by: 'approver', at: new Date().toISOString(), hash: 'h', publishAt: null, jobId },
    attempts: committed
      ? [attempt(jobId, 'prepare', 'started'), attempt(jobId, 'commit', 'started')]
      : [attempt(jobId, 'prepare', 'started')],
  }));
  return after;
}

describe('reconcile drafts', () => {
  it('sends a clicked stranded draft to verify', async () => {
    const draft = await strandedDraft(true);
    expect(await reconcileDrafts(deps, queue)).toBe(1);

    const after = await deps.store.require(draft.id);
    expect(after.status).toBe('unconfirmed');
    const verify = await queue.getJob(`verify-publish-${draft.id}-1`);
    expect(verify?.name).toBe('verify');
    expect(await verify?.getState()).toBe('delayed');
  });

  it('fails a stranded draft never clicked', async () => {
    const draft = await strandedDraft(false);
    expect(await reconcileDrafts(deps, queue)).toBe(1);

    const after = await deps.store.require(draft.id);
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/before the click/);
  });

  it('leaves a draft alone while its job is still queued', async () => {
    const draft = await strandedDraft(true);
    await queue.add(
      'publish',
      { draftId: draft.id, approvalHash: 'a'.repeat(64) },
      { jobId: `publish-${draft.id}-1` },
    );
    expect(await reconcileDrafts(deps, queue)).toBe(0);
    expect((await deps.store.require(draft.id)).status).toBe('publishing');
  });

  it('requeues a lost verify job', async () => {
    const draft = await strandedDraft(true);
    await reconcileDrafts(deps, queue);
    const first = await queue.getJob(`verify-publish-${draft.id}-1`);
    await first?.remove();
    expect(await reconcileDrafts(deps, queue)).toBe(1);
    expect(await queue.getJob(`verify-publish-${draft.id}-1`)).toBeDefined();
    expect((await deps.store.require(draft.id)).status).toBe('unconfirmed');
  });
});
