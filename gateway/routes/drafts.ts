import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  createDraftBodySchema,
  draftIdSchema,
  draftSchema,
  draftStatusSchema,
  editDraftBodySchema,
} from '../../shared/drafts.js';
import { AppError } from '../../shared/errors.js';
import { UrlPolicy } from '../../shared/url-policy.js';
import { requireApprover } from '../auth.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import {
  approveDraft,
  deleteDraft,
  editDraft,
  rejectDraft,
  retryDraft,
  revokeDraft,
} from '../draft-actions.js';
import { errorResponses, jsonBody, jsonResponse } from '../openapi.js';

const idParams = z.strictObject({ id: draftIdSchema });

const listQuery = z.strictObject({
  status: draftStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

const draftPageSchema = z.object({ items: z.array(draftSchema), nextCursor: z.string().nullable() });
const queuedSchema = z.object({ draft: draftSchema, jobId: z.string() });

const approveBodySchema = z.strictObject({
  publishAt: z.iso
    .datetime({ offset: true, message: 'expected an ISO 8601 date and time, e.g. 2026-12-24T09:00:00Z' })
    .optional(),
});
const rejectBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/** Cursors are opaque to clients: the base64url form of the last id of the page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!draftIdSchema.safeParse(id).success || encodeCursor(id) !== cursor) {
    throw new AppError(400, 'invalid_request', 'invalid cursor: pass the nextCursor of a previous page', [
      { path: 'cursor', message: 'invalid cursor' },
    ]);
  }
  return id;
}

const tags = ['drafts'];

const routes = {
  create: createRoute({
    method: 'post',
    path: '/api/drafts',
    tags,
    summary: 'Create a draft',
    request: { body: jsonBody(createDraftBodySchema) },
    responses: {
      201: jsonResponse(draftSchema, 'the new draft, pending'),
      ...errorResponses(400, 413, 415, 422),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/api/drafts',
    tags,
    summary: 'List drafts, newest first',
    request: { query: listQuery },
    responses: { 200: jsonResponse(draftPageSchema, 'one page of drafts'), ...errorResponses(400) },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/drafts/{id}',
    tags,
    summary: 'Get one draft with its approval and attempt log',
    request: { params: idParams },
    responses: { 200: jsonResponse(draftSchema, 'the draft'), ...errorResponses(400, 404) },
  }),
  edit: createRoute({
    method: 'patch',
    path: '/api/drafts/{id}',
    tags,
    summary: 'Edit content or media; an approved or scheduled draft goes back to pending',
    request: { params: idParams, body: jsonBody(editDraftBodySchema) },
    responses: {
      200: jsonResponse(draftSchema, 'the edited draft'),
      ...errorResponses(400, 404, 409, 413, 415),
    },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/api/drafts/{id}',
    tags,
    summary: 'Delete a draft unless it is publishing or unconfirmed',
    request: { params: idParams },
    responses: { 204: { description: 'deleted' }, ...errorResponses(400, 403, 404, 409) },
  }),
  approve: createRoute({
    method: 'post',
    path: '/api/drafts/{id}/approve',
    tags,
    summary: 'Approve a pending draft and queue its publish job, now or at publishAt',
    request: { params: idParams, body: jsonBody(approveBodySchema, false) },
    responses: {
      202: jsonResponse(queuedSchema, 'queued; a repeated approval returns the existing job'),
      ...errorResponses(400, 403, 404, 409, 413, 415),
    },
  }),
  reject: createRoute({
    method: 'post',
    path: '/api/drafts/{id}/reject',
    tags,
    summary: 'Reject a pending draft',
    request: { params: idParams, body: jsonBody(rejectBodySchema, false) },
    responses: {
      200: jsonResponse(draftSchema, 'the rejected draft'),
      ...errorResponses(400, 403, 404, 409, 413, 415),
    },
  }),
  revoke: createRoute({
    method: 'post',
    path: '/api/drafts/{id}/revoke',
    tags,
    summary: 'Send an approved or scheduled draft back to pending and remove its job',
    request: { params: idParams },
    responses: {
      200: jsonResponse(draftSchema, 'the draft, pending'),
      ...errorResponses(400, 403, 404, 409),
    },
  }),
  retry: createRoute({
    method: 'post',
    path: '/api/drafts/{id}/retry',
    tags,
    summary: 'Approve a failed draft again and queue a new publish job',
    request: { params: idParams },
    responses: { 202: jsonResponse(queuedSchema, 'queued'), ...errorResponses(400, 403, 404, 409) },
  }),
};

export function registerDraftRoutes(app: GatewayApp, deps: GatewayDeps): void {
  for (const path of [
    '/api/drafts/:id/approve',
    '/api/drafts/:id/reject',
    '/api/drafts/:id/revoke',
    '/api/drafts/:id/retry',
  ]) {
    app.use(path, requireApprover);
  }
  app.on('DELETE', '/api/drafts/:id', requireApprover);

  const policy = new UrlPolicy(deps.config.ALLOWED_HOSTS, deps.config.THREADS_BASE_URL);
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const refusal = body.replyTo ? policy.check(body.replyTo) : null;
    if (refusal) {
      throw new AppError(422, 'url_not_allowed', `replyTo: ${refusal}`, [
        { path: 'replyTo', message: refusal },
      ]);
    }
    const draft = await deps.store.create(body, c.get('principal').name);
    c.header('Location', `/api/drafts/${draft.id}`);
    return c.json(draft, 201);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await deps.store.list({ status: query.status, limit: query.limit, after });
    return c.json(
      { items: page.items, nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null },
      200,
    );
  });

  app.openapi(routes.get, async (c) => c.json(await deps.store.require(c.req.valid('param').id), 200));

  app.openapi(routes.edit, async (c) => {
    const draft = await editDraft(deps, c.req.valid('param').id, c.req.valid('json'));
    return c.json(draft, 200);
  });

  app.openapi(routes.delete, async (c) => {
    await deleteDraft(deps, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(routes.approve, async (c) => {
    const body = c.req.valid('json') ?? {};
    const queued = await approveDraft(deps, c.req.valid('param').id, c.get('principal').name, body.publishAt);
    c.header('Location', `/api/jobs/${queued.jobId}`);
    return c.json(queued, 202);
  });

  app.openapi(routes.reject, async (c) => {
    const body = c.req.valid('json') ?? {};
    return c.json(
      await rejectDraft(deps, c.req.valid('param').id, c.get('principal').name, body.reason),
      200,
    );
  });

  app.openapi(routes.revoke, async (c) => c.json(await revokeDraft(deps, c.req.valid('param').id), 200));

  app.openapi(routes.retry, async (c) => {
    const queued = await retryDraft(deps, c.req.valid('param').id, c.get('principal').name);
    c.header('Location', `/api/jobs/${queued.jobId}`);
    return c.json(queued, 202);
  });
}
