import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { monotonicFactory } from 'ulid';
import { type CreateDraftBody, type Draft, type DraftStatus, draftSchema } from './drafts.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { AppEvent } from './events.js';
import { STREAM_FIELD_DATA, STREAM_FIELD_TYPE } from './events.js';
import type { Keyspace } from './redis.js';

/**
 * Compare-and-set of one draft. It writes the new JSON only when the stored version is the expected
 * one, moves the id between status indexes and appends the event to the stream, all in one step.
 * KEYS: draft, all index, old status index, new status index, event stream.
 * ARGV: expected version (0 = must not exist), new JSON ('' = delete), id, new version,
 *       event type, event JSON, stream max length.
 */
const compareAndSetScript = `
local current = redis.call('HGET', KEYS[1], 'version')
local expected = tonumber(ARGV[1])
if expected == 0 then
  if current then return 0 end
else
  if (not current) or tonumber(current) ~= expected then return 0 end
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[3])
else
  redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', ARGV[4])
  redis.call('ZADD', KEYS[2], 0, ARGV[3])
  if KEYS[3] ~= KEYS[4] then redis.call('ZREM', KEYS[3], ARGV[3]) end
  redis.call('ZADD', KEYS[4], 0, ARGV[3])
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[7], '*', '${STREAM_FIELD_TYPE}', ARGV[5], '${STREAM_FIELD_DATA}', ARGV[6])
return 1
`;

export interface DraftPage {
  items: Draft[];
  nextCursor: string | null;
}

/** A function that returns the changed draft, or an Error that explains why the change does not apply. */
export type DraftChange = (draft: Draft) => Draft | Error;

const newId = monotonicFactory();

/** Drafts in Redis: one hash per draft, lexically sorted indexes by status, atomic transitions. */
export class DraftStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly streamMaxLength: number,
  ) {}

  async create(body: CreateDraftBody, createdBy: string, now = new Date()): Promise<Draft> {
    const at = now.toISOString();
    const draft: Draft = {
      id: newId(now.getTime()),
      content: body.content,
      mediaUrls: body.mediaUrls ?? [],
      replyTo: body.replyTo ?? null,
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      createdBy,
      approval: null,
      approvals: 0,
      rejection: null,
      postUrl: null,
      publishedAt: null,
      error: null,
      attempts: [],
      version: 1,
    };
    const written = await this.compareAndSet(0, draft, null, { type: 'draft.created', data: { draft } });
    if (!written) {
      throw new ConflictError(`draft ${draft.id} already exists`);
    }
    return draft;
  }

  async get(id: string): Promise<Draft | null> {
    const json = await this.redis.hget(this.keys.draft(id), 'json');
    return json === null ? null : draftSchema.parse(JSON.parse(json));
  }

  async require(id: string): Promise<Draft> {
    const draft = await this.get(id);
    if (!draft) {
      throw new NotFoundError('draft', id);
    }
    return draft;
  }

  /** Lists drafts newest first; the cursor is the last id of the previous page. */
  async list(options: { status?: DraftStatus; limit: number; after?: string }): Promise<DraftPage> {
    const index = options.status ? this.keys.draftsByStatus(options.status) : this.keys.draftsAll;
    const max = options.after ? `(${options.after}` : '+';
    const ids = await this.redis.zrevrangebylex(index, max, '-', 'LIMIT', 0, options.limit + 1);
    const pageIds = ids.slice(0, options.limit);
    const drafts = await Promise.all(pageIds.map((id) => this.get(id)));
    const items = drafts.filter((draft): draft is Draft => draft !== null);
    const nextCursor = ids.length > options.limit ? (pageIds.at(-1) ?? null) : null;
    return { items, nextCursor };
  }

  /**
   * Applies `change` atomically: reads the draft, computes the new one and writes it only if no
   * other writer changed it meanwhile, retrying on a lost race. An Error returned by `change` is
   * thrown as is, so the loser of a race gets an error about the winner's state.
   */
  async update(
    id: string,
    change: DraftChange,
    now = () => new Date(),
  ): Promise<{ before: Draft; after: Draft }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await this.require(id);
      const changed = change(before);
      if (changed instanceof Error) {
        throw changed;
      }

      const after: Draft = { ...changed, version: before.version + 1, updatedAt: now().toISOString() };
      const event: AppEvent = {
        type: 'draft.updated',
        data: { draft: after, previousStatus: before.status },
      };
      if (await this.compareAndSet(before.version, after, before.status, event)) {
        return { before, after };
      }
    }
    throw new ConflictError(`draft ${id} is changing too often; try again`);
  }

  /** Deletes the draft when `allowed` accepts its current state. */
  async delete(id: string, allowed: (draft: Draft) => Error | null): Promise<Draft> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await this.require(id);
      const refusal = allowed(before);
      if (refusal) {
        throw refusal;
      }

      const written = await this.writeScript(before.version, '', id, before.status, before.status, {
        type: 'draft.deleted',
        data: { draftId: id },
      });
      if (written) {
        return before;
      }
    }
    throw new ConflictError(`draft ${id} is changing too often; try again`);
  }

  private compareAndSet(
    expectedVersion: number,
    draft: Draft,
    previousStatus: DraftStatus | null,
    event: AppEvent,
  ): Promise<boolean> {
    return this.writeScript(
      expectedVersion,
      JSON.stringify(draft),
      draft.id,
      previousStatus ?? draft.status,
      draft.status,
      event,
      draft.version,
    );
  }

  private async writeScript(
    expectedVersion: number,
    json: string,
    id: string,
    oldStatus: DraftStatus,
    newStatus: DraftStatus,
    event: AppEvent,
    newVersion = 0,
  ): Promise<boolean> {
    const keys = [
      this.keys.draft(id),
      this.keys.draftsAll,
      this.keys.draftsByStatus(oldStatus),
      this.keys.draftsByStatus(newStatus),
      this.keys.events,
    ];
    const args = [
      expectedVersion,
      json,
      id,
      newVersion,
      event.type,
      JSON.stringify(event.data),
      this.streamMaxLength,
    ];
    const result = await runScript(this.redis, compareAndSetScript, compareAndSetSha, keys, args);
    return result === 1;
  }
}

const compareAndSetSha = createHash('sha1').update(compareAndSetScript).digest('hex');

/** Runs a Lua script by its SHA1 and loads it on the first NOSCRIPT reply. */
async function runScript(
  redis: Redis,
  script: string,
  sha: string,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return redis.eval(script, keys.length, ...keys, ...args);
    }
    throw error;
  }
}
