import type { PostJson, ThreadJson } from '../post-json.js';
import { el, roleButton } from './dom.js';

export function permalinkOf(post: PostJson): string {
  return `/@${post.user.username}/post/${post.code}`;
}

/** Renders the items of a thread one below the other. */
export function renderThread(thread: ThreadJson): HTMLElement {
  const element = el('div', { class: 'thread', 'data-thread-id': thread.id });
  for (const item of thread.thread_items) {
    element.append(renderPost(item.post));
  }
  return element;
}

/**
 * Renders a post with the real app's attributes as a `div[data-pressable-container]`. Its first `/@`
 * link is the author and its first `/post/` link, around `time`, is the permalink. Its actions are
 * buttons labelled Like (or Unlike), Reply, Repost and Share.
 */
export function renderPost(post: PostJson): HTMLElement {
  const container = el('div', { 'data-pressable-container': 'true', 'data-post-code': post.code });
  if (post.is_post_unavailable) {
    container.append(el('div', { class: 'tombstone' }, 'This post is unavailable.'));
    return container;
  }

  container.append(renderHeader(post));
  const replyTo = post.text_post_app_info.reply_to_author;
  if (post.text_post_app_info.is_reply && replyTo) {
    container.append(
      el(
        'div',
        { class: 'reply-to' },
        'Replying to ',
        el('a', { href: `/@${replyTo.username}` }, `@${replyTo.username}`),
      ),
    );
  }
  if (post.caption) {
    container.append(el('div', { class: 'caption', dir: 'auto' }, post.caption.text));
  }
  const media = renderMedia(post);
  if (media) {
    container.append(media);
  }
  const quoted = post.text_post_app_info.share_info.quoted_post;
  if (quoted) {
    container.append(renderQuoted(quoted));
  }
  container.append(renderActions(post));
  return container;
}

function renderHeader(post: PostJson): HTMLElement {
  const taken = new Date(post.taken_at * 1000);
  return el(
    'div',
    { class: 'post-head' },
    el('a', { href: `/@${post.user.username}` }, post.user.username),
    post.user.is_verified && el('span', { 'aria-label': 'Verified', title: 'Verified' }, '✓'),
    el(
      'a',
      { href: permalinkOf(post) },
      el(
        'time',
        { datetime: taken.toISOString(), title: taken.toLocaleString('en-US') },
        relativeTime(taken),
      ),
    ),
  );
}

function renderMedia(post: PostJson): HTMLElement | null {
  const carousel = post.carousel_media;
  if (post.media_type === 8 && carousel) {
    const items = carousel.map((item) =>
      item.media_type === 2
        ? video(item.video_versions?.[0]?.url, item.image_versions2.candidates[0]?.url)
        : image(item.image_versions2.candidates[0]?.url),
    );
    return el(
      'div',
      { class: 'media carousel', role: 'list' },
      ...items.map((item) => el('div', { role: 'listitem' }, item)),
    );
  }
  if (post.media_type === 2) {
    return el(
      'div',
      { class: 'media' },
      video(post.video_versions?.[0]?.url, post.image_versions2.candidates[0]?.url),
    );
  }
  if (post.media_type === 1) {
    return el('div', { class: 'media' }, image(post.image_versions2.candidates[0]?.url));
  }
  return null;
}

function image(url: string | undefined): HTMLElement {
  return el('img', { src: url ?? '', alt: 'Photo', loading: 'lazy', height: '240' });
}

function video(url: string | undefined, poster: string | undefined): HTMLElement {
  const element = el('video', { preload: 'none', controls: '', playsinline: '', height: '240' });
  if (poster) {
    element.poster = poster;
  }
  if (url) {
    element.append(el('source', { src: url, type: 'video/mp4' }));
  }
  return element;
}

function renderQuoted(post: PostJson): HTMLElement {
  if (post.is_post_unavailable) {
    return el('div', { class: 'quoted tombstone' }, 'This post is unavailable.');
  }
  return el(
    'div',
    { class: 'quoted' },
    renderHeader(post),
    post.caption && el('div', { class: 'caption', dir: 'auto' }, post.caption.text),
  );
}

function renderActions(post: PostJson): HTMLElement {
  const info = post.text_post_app_info;
  const like = countButton(post.has_liked ? 'Unlike' : 'Like', 'like', post.code, post.like_count);
  like.setAttribute('aria-pressed', String(post.has_liked));
  const reply = countButton('Reply', 'reply', post.code, info.direct_reply_count);
  reply.dataset.author = post.user.username;
  if (!info.can_reply) {
    reply.setAttribute('aria-disabled', 'true');
  }
  return el(
    'div',
    { class: 'actions', role: 'group' },
    like,
    reply,
    countButton('Repost', 'repost', post.code, info.repost_count),
    countButton('Share', 'share', post.code, 0),
  );
}

function countButton(label: string, action: string, code: string, count: number): HTMLDivElement {
  return roleButton(
    { 'aria-label': label, 'data-action': action, 'data-code': code },
    el('span', { 'aria-hidden': 'true' }, iconFor(action)),
    el('span', { class: 'count', 'aria-hidden': 'true' }, count > 0 ? String(count) : ''),
  );
}

function iconFor(action: string): string {
  const icons: Record<string, string> = { like: '♡', reply: '💬', repost: '🔁', share: '↗' };
  return icons[action] ?? '';
}

/** Formats an age the way the feed shows it: 5m, 3h, 2d, then the date. */
function relativeTime(date: Date): string {
  const seconds = Math.max(0, (Date.now() - date.getTime()) / 1000);
  if (seconds < 60) {
    return 'now';
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m`;
  }
  if (seconds < 86_400) {
    return `${Math.floor(seconds / 3600)}h`;
  }
  if (seconds < 7 * 86_400) {
    return `${Math.floor(seconds / 86_400)}d`;
  }
  return date.toLocaleDateString('en-US', { month: '2-digit', day: '2-digit', year: '2-digit' });
}
