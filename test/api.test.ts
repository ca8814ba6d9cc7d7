import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import { bullPrefix } from '../shared/queue.js';
import { AGENT_TOKEN, APPROVER_TOKEN, apiClient, startTestGateway } from './helpers/gateway.js';
import { TestRedis } from './helpers/redis.js';

let redis: TestRedis;
let gateway: GatewayServer;
let api: ReturnType<typeof apiClient>;
let agent: ReturnType<typeof apiClient>;
let queue: Queue;

beforeAll(async () => {
  redis = await TestRedis.start();
  gateway = await startTestGateway(redis.url);
  api = apiClient(gateway.url);
  agent = apiClient(gateway.url, AGENT_TOKEN);
  queue = new Queue('browser', { connection: { url: redis.url }, prefix: bullPrefix('browser') });
});

afterAll(async () => {
  await queue?.close();
  await gateway?.stop('test end');
  await redis?.stop();
});

async function createDraft(content = `hello ${Math.random()}`) {
  const response = await api('POST', '/api/drafts', { content });
  expect(response.status).toBe(201);
  return response.body as { id: string; status: string };
}

async function draftCount(): Promise<number> {
  const client = redis.client();
  const count = await client.zcard('browser:drafts:all');
  client.disconnect();
  return count;
}

describe('draft routes', () => {
  it('creates and reads a draft', async () => {
    const response = await api('POST', '/api/drafts', { content: 'First post from the tests' });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/drafts/${response.body.id}`);
    expect(response.body.status).toBe('pending');
    expect(response.body.createdBy).toBe('approver');

    const read = await api('GET', `/api/drafts/${response.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.content).toBe('First post from the tests');
  });

  it('lists newest first with a cursor', async () => {
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push((await createDraft(`listed ${index}`)).id);

    const first = await api('GET', '/api/drafts?status=pending&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((draft: { id: string }) => draft.id)).toEqual([ids[2], ids[1]]);
    expect(typeof first.body.nextCursor).toBe('string');

    const second = await api('GET', `/api/drafts?status=pending&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).toBe(ids[0]);
  });

  it('edits a pending draft', async () => {
    const draft = await createDraft();
    const edited = await api('PATCH', `/api/drafts/${draft.id}`, { content: 'edited text' });
    expect(edited.status).toBe(200);
    expect(edited.body.content).toBe('edited text');
    expect(edited.body.version).toBe(2);
  });

  it('deletes a draft and then answers 404', async () => {
    const draft = await createDraft();
    expect((await api('DELETE', `/api/drafts/${draft.id}`)).status).toBe(204);
    expect((await api('GET', `/api/drafts/${draft.id}`)).status).toBe(404);
  });

  it('rejects a pending draft with a reason', async () => {
    const draft = await createDraft();
    const rejected = await api('POST', `/api/drafts/${draft.id}/reject`, { reason: 'off topic' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.rejection.reason).toBe('off topic');
    const again = await api('POST', `/api/drafts/${draft.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('rejected');
  });
});

describe('approval', () => {
  it('queues one publish job and returns its id', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`);
    expect(approved.status).toBe(202);
    expect(approved.body.draft.status).toBe('approved');
    expect(approved.body.draft.approval.by).toBe('approver');
    expect(approved.headers.get('location')).toBe(`/api/jobs/${approved.body.jobId}`);

    const job = await api('GET', `/api/jobs/${approved.body.jobId}`);
    expect(job.status).toBe(200);
    expect(job.body.name).toBe('publish');
    expect(job.body.state).toBe('waiting');
  });

  it('accepts an empty body with a JSON content type', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`, undefined, {
      'content-type': 'application/json',
    });
    expect(approved.status).toBe(202);
    expect(approved.body.draft.status).toBe('approved');
  });

  it('makes one job for ten concurrent approvals', async () => {
    const draft = await createDraft();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api('POST', `/api/drafts/${draft.id}/approve`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((answer) => answer.body.jobId)).size).toBe(1);

    const jobs = await queue.getJobs(['waiting', 'delayed']);
    expect(jobs.filter((job) => job.data.draftId === draft.id)).toHaveLength(1);
  });

  it('leaves one winner when approval races rejection', async () => {
    for (let round = 0; round < 5; round++) {
      const draft = await createDraft();
      const [approve, reject] = await Promise.all([
        api('POST', `/api/drafts/${draft.id}/approve`),
        api('POST', `/api/drafts/${draft.id}/reject`, { reason: 'race' }),
      ]);
      const statuses = [approve.status, reject.status].sort();
      expect(statuses.includes(409)).toBe(true);
      expect(statuses.filter((status) => status !== 409)).toHaveLength(1);

      const final = await api('GET', `/api/drafts/${draft.id}`);
      expect(final.body.status).toBe(approve.status === 202 ? 'approved' : 'rejected');
    }
  });

  it('sends an edited approved draft back to pending and removes its job', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`);
    const edited = await api('PATCH', `/api/drafts/${draft.id}`, { content: 'changed after approval' });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('pending');
    expect(edited.body.approval).toBeNull();
    expect((await api('GET', `/api/jobs/${approved.body.jobId}`)).status).toBe(404);

    const again = await api('POST', `/api/drafts/${draft.id}/approve`);
    expect(again.status).toBe(202);
    expect(again.body.jobId).not.toBe(approved.body.jobId);
  });

  it('schedules with publishAt and edits back to pending', async () => {
    const draft = await createDraft();
    const publishAt = new Date(Date.now() + 3_600_000).toISOString();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`, { publishAt });
    expect(approved.status).toBe(202);
    expect(approved.body.draft.status).toBe('scheduled');
    const job = await api('GET', `/api/jobs/${approved.body.jobId}`);
    expect(job.body.state).toBe('delayed');
    expect(Math.abs(Date.parse(job.body.runAt) - Date.parse(publishAt))).toBeLessThan(1_000);

    const edited = await api('PATCH', `/api/drafts/${draft.id}`, { content: 'rescheduled text' });
    expect(edited.body.status).toBe('pending');
    expect((await api('GET', `/api/jobs/${approved.body.jobId}`)).status).toBe(404);
  });

  it('revokes an approval', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`);
    const revoked = await api('POST', `/api/drafts/${draft.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('pending');
    expect((await api('GET', `/api/jobs/${approved.body.jobId}`)).status).toBe(404);
    expect((await api('POST', `/api/drafts/${draft.id}/revoke`)).status).toBe(409);
  });

  it('answers 409 to retry of a draft that has not failed', async () => {
    const draft = await createDraft();
    const retry = await api('POST', `/api/drafts/${draft.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.error.details.status).toBe('pending');
  });
});

describe('job cancel', () => {
  it('cancels a waiting publish job and sends its draft back to pending', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`);
    const cancelled = await api('DELETE', `/api/jobs/${approved.body.jobId}`);
    expect(cancelled.status).toBe(200);
    expect((await api('GET', `/api/jobs/${approved.body.jobId}`)).status).toBe(404);
    expect((await api('GET', `/api/drafts/${draft.id}`)).body.status).toBe('pending');
  });

  it('refuses to cancel the job of a draft that is publishing', async () => {
    const draft = await createDraft();
    const approved = await api('POST', `/api/drafts/${draft.id}/approve`);
    const client = redis.client();
    const key = `browser:draft:${draft.id}`;
    const stored = JSON.parse((await client.hget(key, 'json')) ?? '{}');
    await client.hset(key, 'json', JSON.stringify({ ...stored, status: 'publishing' }));
    client.disconnect();

    const response = await api('DELETE', `/api/jobs/${approved.body.jobId}`);
    expect(response.status).toBe(409);
    expect(response.body.error.details.draftStatus).toBe('publishing');
    expect((await api('GET', `/api/jobs/${approved.body.jobId}`)).status).toBe(200);
  });

  it('refuses to cancel a verify job', async () => {
    const draft = await createDraft();
    await queue.add(
      'verify',
      { draftId: draft.id, publishJobId: 'publish-x-1' },
      { jobId: 'verify-publish-x-1', delay: 60_000 },
    );
    const response = await api('DELETE', '/api/jobs/verify-publish-x-1');
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/may exist/);
  });
});

describe('bad input', () => {
  const sixLinks = Array.from({ length: 6 }, (_, index) => `https://example.com/${index}`).join(' ');
  const cases: Array<[string, unknown, number, Record<string, string>?]> = [
    ['content of the wrong type', { content: 5 }, 400],
    ['missing content', {}, 400],
    ['an unknown field', { content: 'hi', publishat: 'now' }, 400],
    ['501 characters', { content: 'a'.repeat(501) }, 400],
    ['only whitespace', { content: '   ' }, 400],
    ['six links', { content: sixLinks }, 400],
    ['two topic tags', { content: 'one #first and #second' }, 400],
    ['21 media URLs', { content: 'hi', mediaUrls: Array(21).fill('https://example.com/a.png') }, 400],
    ['a file: media URL', { content: 'hi', mediaUrls: ['file:///etc/passwd'] }, 400],
    ['a reply target that is no permalink', { content: 'hi', replyTo: 'https://www.threads.com/@user' }, 400],
    ['a __proto__ key', '{"content":"hi","__proto__":{"admin":true}}', 400],
    ['malformed JSON', '{"content": "hi"', 400],
    ['a JSON array', '["hi"]', 400],
    ['a form body', 'content=hi', 415, { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a body over the limit', { content: 'x'.repeat(70 * 1024) }, 413],
  ];

  for (const [name, body, status, headers] of cases) {
    it(`create rejects ${name}`, async () => {
      const before = await draftCount();
      const response = await api('POST', '/api/drafts', body, headers);
      expect(response.status).toBe(status);
      expect(typeof response.body.error.code).toBe('string');
      expect(typeof response.body.error.message).toBe('string');
      expect(await draftCount()).toBe(before);
    });
  }

  it('says which field is missing', async () => {
    const response = await api('POST', '/api/drafts', {});
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({
      path: 'content',
      message: 'content is required and must be a string',
    });
  });

  it('names the field path of a validation error', async () => {
    const response = await api('POST', '/api/drafts', { content: 'hi', mediaUrls: ['nope'] });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: 'mediaUrls.0' }));
  });

  it('counts an emoji with modifiers as one character', async () => {
    const family = '👨‍👩‍👧‍👦';
    const response = await api('POST', '/api/drafts', { content: family.repeat(500) });
    expect(response.status).toBe(201);
  });

  const queries = [
    'cursor=garbage',
    'cursor=../../etc',
    'limit=0',
    'limit=101',
    'limit=ten',
    'status=lost',
    'sort=asc',
  ];
  for (const query of queries) {
    it(`list rejects ${query}`, async () => {
      const response = await api('GET', `/api/drafts?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    });
  }

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await api('GET', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect((await api('GET', '/api/drafts/not-an-id')).status).toBe(400);
    expect((await api('POST', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV/approve')).status).toBe(404);
    expect((await api('GET', '/api/jobs/no-such-job')).status).toBe(404);
    expect((await api('GET', '/api/jobs/bad:id')).status).toBe(400);
  });

  it('keeps a draft unchanged after invalid edits and approvals', async () => {
    const draft = await createDraft('unchanged text');
    const attempts: Array<[string, string, unknown]> = [
      ['PATCH', `/api/drafts/${draft.id}`, { content: 7 }],
      ['PATCH', `/api/drafts/${draft.id}`, {}],
      ['PATCH', `/api/drafts/${draft.id}`, { content: 'ok', status: 'approved' }],
      ['POST', `/api/drafts/${draft.id}/approve`, { publishAt: 'tomorrow' }],
      ['POST', `/api/drafts/${draft.id}/approve`, { publishat: '2030-01-01T00:00:00Z' }],
      ['POST', `/api/drafts/${draft.id}/reject`, { reason: 'r'.repeat(501) }],
    ];
    for (const [method, path, body] of attempts) {
      const response = await api(method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
    }
    const read = await api('GET', `/api/drafts/${draft.id}`);
    expect(read.body.status).toBe('pending');
    expect(read.body.content).toBe('unchanged text');
    expect(read.body.version).toBe(1);
  });
});

describe('auth', () => {
  const routes: Array<[string, string]> = [
    ['POST', '/api/drafts'],
    ['GET', '/api/drafts'],
    ['GET', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['PATCH', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['DELETE', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['POST', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV/approve'],
    ['POST', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV/reject'],
    ['POST', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV/revoke'],
    ['POST', '/api/drafts/01ARZ3NDEKTSV4RRFFQ69G5FAV/retry'],
    ['GET', '/api/jobs/some-job'],
    ['GET', '/api/browser/status'],
    ['GET', '/api/unknown'],
  ];

  for (const [method, path] of routes) {
    it(`answers 401 without a valid token: ${method} ${path}`, async () => {
      expect((await apiClient(gateway.url, null)(method, path)).status).toBe(401);
      expect((await apiClient(gateway.url, 'wrong-token')(method, path)).status).toBe(401);
      const query = await apiClient(gateway.url, null)(method, `${path}?token=${APPROVER_TOKEN}`);
      expect(query.status).toBe(401);
    });
  }

  it('lets the agent create, edit and read but not approve', async () => {
    const created = await agent('POST', '/api/drafts', { content: 'written by the agent' });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('agent');
    expect((await agent('PATCH', `/api/drafts/${created.body.id}`, { content: 'agent edit' })).status).toBe(
      200,
    );
    expect((await agent('GET', `/api/drafts/${created.body.id}`)).status).toBe(200);
    expect((await agent('GET', '/api/browser/status')).status).toBe(200);

    for (const action of ['approve', 'reject', 'revoke', 'retry']) {
      const response = await agent('POST', `/api/drafts/${created.body.id}/${action}`);
      expect(response.status, action).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
    expect((await agent('DELETE', `/api/drafts/${created.body.id}`)).status).toBe(403);
    expect((await api('GET', `/api/drafts/${created.body.id}`)).body.status).toBe('pending');
  });

  it('keeps /healthz and /openapi.json open', async () => {
    const health = await apiClient(gateway.url, null)('GET', '/healthz');
    expect(health.status).toBe(200);
    const openapi = await apiClient(gateway.url, null)('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toContain('/api/drafts/{id}/approve');
  });
});

describe('Redis outage', () => {
  it('answers 503 quickly and recovers by itself', async () => {
    const draft = await createDraft('before the outage');
    await redis.stopServer();

    const requests: Array<[string, string, unknown?]> = [
      ['GET', '/api/drafts'],
      ['POST', '/api/drafts', { content: 'during the outage' }],
      ['GET', `/api/drafts/${draft.id}`],
      ['POST', `/api/drafts/${draft.id}/approve`],
      ['GET', '/api/browser/status'],
    ];
    for (const [method, path, body] of requests) {
      const started = performance.now();
      const response = await api(method, path, body);
      const elapsed = performance.now() - started;
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(elapsed, `${method} ${path} took ${elapsed} ms`).toBeLessThan(2_000);
    }
    expect((await apiClient(gateway.url, null)('GET', '/readyz')).status).toBe(503);

    await redis.startServer();
    let recovered = 0;
    for (let attempt = 0; attempt < 100 && recovered !== 200; attempt++) {
      recovered = (await api('GET', '/api/drafts')).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(200);
    expect((await api('POST', '/api/drafts', { content: 'after the outage' })).status).toBe(201);
  });
});
