import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { requireApprover } from '../auth.js';
import type { GatewayApp, GatewayDeps } from '../deps.js';
import { revokeDraft } from '../draft-actions.js';
import { errorResponses, jsonResponse } from '../openapi.js';

const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a job id');

export const jobViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children']),
  progress: z.unknown(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  runAt: z.iso.datetime().nullable().describe('when a delayed job becomes due'),
});

const isoOrNull = (millis: number | undefined | null) => (millis ? new Date(millis).toISOString() : null);

export function registerJobRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/api/jobs/{id}',
    tags: ['jobs'],
    summary: 'State, progress and result of a job',
    request: { params: z.strictObject({ id: jobIdSchema }) },
    responses: { 200: jsonResponse(jobViewSchema, 'the job'), ...errorResponses(400, 404) },
  });

  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // The state is read before the job: a job that finishes between the two reads then shows its
    // result, where the other order could show `completed` with no result.
    const state = await deps.queue.getJobState(id);
    const job = await deps.queue.getJob(id);
    if (state === 'unknown' || !job) {
      throw new NotFoundError('job', id);
    }

    return c.json(
      {
        id,
        name: job.name,
        state: state === 'waiting-children' ? 'waiting' : state,
        progress: job.progress,
        result: job.returnvalue ?? null,
        error: job.failedReason || null,
        attempts: job.attemptsMade,
        createdAt: new Date(job.timestamp).toISOString(),
        processedAt: isoOrNull(job.processedOn),
        finishedAt: isoOrNull(job.finishedOn),
        runAt: job.delay ? new Date(job.timestamp + job.delay).toISOString() : null,
      },
      200,
    );
  });
}

/** Cancels a job that has not started; a publish job's draft goes back to pending. */
export function registerJobCancelRoute(app: GatewayApp, deps: GatewayDeps): void {
  app.on('DELETE', '/api/jobs/:id', requireApprover);
  const route = createRoute({
    method: 'delete',
    path: '/api/jobs/{id}',
    tags: ['jobs'],
    summary: 'Cancel a job that has not started',
    request: { params: z.strictObject({ id: jobIdSchema }) },
    responses: {
      200: jsonResponse(z.object({ id: z.string(), cancelled: z.literal(true) }), 'cancelled'),
      ...errorResponses(400, 403, 404, 409),
    },
  });

  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const state = await deps.queue.getJobState(id);
    const job = await deps.queue.getJob(id);
    if (state === 'unknown' || !job) throw new NotFoundError('job', id);
    if (!['waiting', 'delayed', 'prioritized'].includes(state)) {
      throw new ConflictError(`job ${id} is ${state} and can no longer be cancelled`, { state });
    }

    if (job.name === 'verify') {
      throw new ConflictError(`job ${id} settles a post that may exist; it cannot be cancelled`, { state });
    }
    const draftId = (job.data as { draftId?: unknown }).draftId;
    if (job.name === 'publish' && typeof draftId === 'string') {
      const draft = await deps.store.get(draftId);
      if (draft?.approval?.jobId === id && draft.status !== 'approved' && draft.status !== 'scheduled') {
        throw new ConflictError(`the draft of job ${id} is ${draft.status}; the job cannot be cancelled`, {
          state,
          draftStatus: draft.status,
        });
      }
      if (draft?.approval?.jobId === id) {
        // Revoking removes the job too, and the draft goes back to pending with it.
        await revokeDraft(deps, draftId);
        c.get('logger').info({ jobId: id, draftId }, 'job cancelled; draft back to pending');
        return c.json({ id, cancelled: true as const }, 200);
      }
    }
    // queue.remove returns 0 when the job took its lock after the state was read.
    if ((await deps.queue.remove(id)) === 0) {
      throw new ConflictError(`job ${id} started meanwhile and can no longer be cancelled`, {
        state: 'active',
      });
    }
    c.get('logger').info({ jobId: id }, 'job cancelled');
    return c.json({ id, cancelled: true as const }, 200);
  });
}

const artifactNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected an artifact name such as composer.png');

export function registerArtifactRoutes(app: GatewayApp, deps: GatewayDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/api/jobs/{id}/artifacts/{name}',
    tags: ['jobs'],
    summary: 'A file a job produced, such as a screenshot',
    request: { params: z.strictObject({ id: jobIdSchema, name: artifactNameSchema }) },
    responses: {
      200: {
        description: 'the file',
        content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } },
      },
      ...errorResponses(400, 404),
    },
  });

  app.openapi(route, async (c) => {
    const { id, name } = c.req.valid('param');
    const artifact = await deps.artifacts.get(id, name);
    if (!artifact) {
      throw new NotFoundError('artifact', `${id}/${name}`);
    }
    return c.body(new Uint8Array(artifact.bytes), 200, {
      'Content-Type': artifact.contentType,
      'Cache-Control': 'private, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
    });
  });
}
