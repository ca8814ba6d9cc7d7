import type { MediaLibrary } from './media.js';
import type { FailureJson, LikeResultJson, SubmitResultJson } from './post-json.js';
import type { SiteStore, StoredPost } from './store.js';
import type { Behaviour, LikeRecord, MediaRecord, SubmitRecord } from './types.js';

/** Text limit of a post in Unicode code points. */
export const MAX_TEXT_LENGTH = 500;
export const MAX_MEDIA_ITEMS = 20;

export const BLOCK_TITLE = 'Try Again Later';
export const BLOCK_MESSAGE =
  'We restrict certain activity to protect our community. Tell us if you think we made a mistake.';

/** Whether the request may act for the account: logged in and not held at a checkpoint. */
export type Access = 'ok' | 'login' | 'checkpoint';

export interface ActionContext {
  store: SiteStore;
  media: MediaLibrary;
  behaviour: Behaviour;
  /** Origin of the site, prefixed to permalinks. */
  origin: string;
  access: Access;
  /** Waits the given milliseconds; the server cancels pending waits on close. */
  sleep(ms: number): Promise<void>;
}

export interface ActionResult {
  status: number;
  body: SubmitResultJson | LikeResultJson | FailureJson;
}

interface UploadedMedia extends MediaRecord {
  data: string;
}

/**
 * Handles `POST /api/post`. Records the submit before anything else, so the log contains requests
 * that fail validation, access or the failure switches too.
 */
export async function handleSubmit(context: ActionContext, body: unknown): Promise<ActionResult> {
  const { store } = context;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = typeof fields.text === 'string' ? fields.text : '';
  const replyTo = typeof fields.replyTo === 'string' ? fields.replyTo : null;
  const media = Array.isArray(fields.media) ? fields.media : [];
  const submit: SubmitRecord = {
    seq: store.submits.length + 1,
    receivedAt: Date.now(),
    text,
    replyTo,
    mediaCount: media.length,
    outcome: 'pending',
    code: null,
    error: null,
  };
  store.submits.push(submit);

  const denied = checkAccess(context.access);
  if (denied) {
    submit.outcome = context.access === 'login' ? 'unauthorized' : 'checkpoint';
    submit.error = denied.body.message;
    return denied;
  }

  const reject = (message: string): ActionResult => {
    submit.outcome = 'rejected';
    submit.error = message;
    return { status: 400, body: { status: 'fail', message } };
  };
  const uploads = validateMedia(media);
  if (typeof uploads === 'string') {
    return reject(uploads);
  }
  const invalid = validateSubmit(store, text, replyTo, uploads.length);
  if (invalid) {
    return reject(invalid);
  }

  if (context.behaviour.submitDelayMs > 0) {
    await context.sleep(context.behaviour.submitDelayMs);
  }

  if (context.behaviour.actionBlocked) {
    submit.outcome = 'blocked';
    submit.error = BLOCK_MESSAGE;
    return { status: 403, body: blockedFailure() };
  }
  if (context.behaviour.failSubmit) {
    submit.outcome = 'failed';
    submit.error = 'failSubmit is on';
    return { status: 500, body: { status: 'fail', message: 'Post failed to upload.' } };
  }

  const post = createPost(context, text, replyTo, uploads);
  const record = store.recordSitePost(
    post,
    uploads.map(({ data: _data, ...rest }) => rest),
    context.origin,
  );
  submit.outcome = 'created';
  submit.code = post.code;
  return {
    status: 200,
    body: {
      status: 'ok',
      post: store.toPostJson(post),
      permalink: record.permalink,
      show_toast: !context.behaviour.noToast,
    },
  };
}

/** Handles `POST /api/like` with a body `{ code, action: 'like' | 'unlike' }`. */
export function handleLike(context: ActionContext, body: unknown): ActionResult {
  const { store } = context;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' ? fields.code : '';
  const action = fields.action === 'unlike' ? 'unlike' : 'like';
  const record: LikeRecord = { receivedAt: Date.now(), code, action, outcome: 'ok' };
  store.likes.push(record);

  const denied = checkAccess(context.access);
  if (denied) {
    record.outcome = context.access === 'login' ? 'unauthorized' : 'checkpoint';
    return denied;
  }
  if (fields.action !== 'like' && fields.action !== 'unlike') {
    record.outcome = 'rejected';
    return { status: 400, body: { status: 'fail', message: 'action must be "like" or "unlike"' } };
  }

  const post = store.findPost(code);
  if (!post || post.unavailable) {
    record.outcome = 'not_found';
    return { status: 404, body: { status: 'fail', message: `Post ${code} not found` } };
  }
  if (context.behaviour.actionBlocked) {
    record.outcome = 'blocked';
    return { status: 403, body: blockedFailure() };
  }

  if (action === 'like') {
    store.like(post);
  } else {
    store.unlike(post);
  }
  return { status: 200, body: { status: 'ok', has_liked: store.hasLiked(code), like_count: post.likeCount } };
}

/** Returns the failure response for a request without access, or undefined when access is granted. */
export function checkAccess(access: Access): { status: number; body: FailureJson } | undefined {
  if (access === 'login') {
    return { status: 401, body: { status: 'fail', message: 'login_required' } };
  }
  if (access === 'checkpoint') {
    return {
      status: 400,
      body: { status: 'fail', message: 'checkpoint_required', checkpoint_url: '/challenge/' },
    };
  }
  return undefined;
}

function blockedFailure(): FailureJson {
  return {
    status: 'fail',
    message: 'feedback_required',
    feedback_title: BLOCK_TITLE,
    feedback_message: BLOCK_MESSAGE,
  };
}

function validateSubmit(
  store: SiteStore,
  text: string,
  replyTo: string | null,
  mediaCount: number,
): string | null {
  if (text.trim() === '' && mediaCount === 0) {
    return 'A post needs text or media';
  }
  const length = [...text].length;
  if (length > MAX_TEXT_LENGTH) {
    return `Text has ${length} characters, more than the limit of ${MAX_TEXT_LENGTH}`;
  }
  if (replyTo !== null) {
    const parent = store.findPost(replyTo);
    if (!parent || parent.unavailable) {
      return `Post ${replyTo} to reply to not found`;
    }
    if (!parent.canReply) {
      return `Post ${replyTo} does not accept replies`;
    }
  }
  return null;
}

function validateMedia(items: unknown[]): UploadedMedia[] | string {
  if (items.length > MAX_MEDIA_ITEMS) {
    return `${items.length} media items, more than the limit of ${MAX_MEDIA_ITEMS}`;
  }
  const uploads: UploadedMedia[] = [];
  for (const [index, item] of items.entries()) {
    const fields = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const { name, type, size, width, height, data } = fields;
    if (
      typeof name !== 'string' ||
      typeof type !== 'string' ||
      typeof size !== 'number' ||
      typeof width !== 'number' ||
      typeof height !== 'number' ||
      typeof data !== 'string'
    ) {
      return `media[${index}] needs name, type, size, width, height and base64 data`;
    }
    if (!type.startsWith('image/') && !type.startsWith('video/')) {
      return `media[${index}] has type ${JSON.stringify(type)}, expected an image or a video`;
    }
    uploads.push({ name, type, size, width, height, data });
  }
  return uploads;
}

function createPost(
  context: ActionContext,
  text: string,
  replyTo: string | null,
  uploads: UploadedMedia[],
): StoredPost {
  const { store, media } = context;
  const items = uploads.map((upload) => {
    const url = media.addUpload({ contentType: upload.type, body: Buffer.from(upload.data, 'base64') });
    return { upload, url, isVideo: upload.type.startsWith('video/') };
  });
  const first = items[0];
  const base = { userPk: store.viewer.pk, text, replyTo };

  if (!first) {
    return store.addPost(base);
  }
  const size = { width: first.upload.width, height: first.upload.height };
  if (items.length === 1) {
    return store.addPost({
      ...base,
      ...size,
      mediaType: first.isVideo ? 2 : 1,
      images: first.isVideo ? [] : [{ url: first.url, ...size }],
      video: first.isVideo ? [{ type: 101, url: first.url, ...size }] : null,
    });
  }
  return store.addPost({
    ...base,
    ...size,
    mediaType: 8,
    carousel: items.map(({ upload, url, isVideo }, index) => {
      const itemSize = { width: upload.width, height: upload.height };
      return {
        pk: `${Date.now()}${index}`,
        id: `${Date.now()}${index}`,
        media_type: isVideo ? 2 : 1,
        image_versions2: { candidates: isVideo ? [] : [{ url, ...itemSize }] },
        video_versions: isVideo ? [{ type: 101, url, ...itemSize }] : null,
        original_width: upload.width,
        original_height: upload.height,
      };
    }),
  });
}
