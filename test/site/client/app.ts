import type { LikeResultJson, PageConfig, PostJson } from '../post-json.js';
import { postJson } from './api.js';
import { openComposer, type ReplyTarget } from './composer.js';
import { isDisabled } from './dom.js';
import { startFeed } from './feed.js';
import { showBlockedNotice } from './notices.js';
import { renderPost } from './render.js';

const config = readConfig();
const pendingLikes = new Set<string>();

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const control = target?.closest<HTMLElement>('[data-open-composer], [data-action]');
  if (!control || isDisabled(control)) {
    return;
  }
  if (control.hasAttribute('data-open-composer')) {
    openComposer(null, onPosted);
    return;
  }
  const code = control.dataset.code ?? '';
  if (control.dataset.action === 'like') {
    void toggleLike(control, code);
  } else if (control.dataset.action === 'reply') {
    openComposer({ code, username: control.dataset.author ?? '' }, onPosted);
  }
});

// Controls are div[role=button], so Enter and Space need wiring to act like a click.
document.addEventListener('keydown', (event) => {
  const target = event.target instanceof HTMLElement ? event.target : null;
  if (target?.getAttribute('role') === 'button' && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault();
    target.click();
  }
});

renderPage();

function readConfig(): PageConfig {
  const block = document.getElementById('site-config');
  if (!block?.textContent) {
    throw new Error('Page config block #site-config is missing');
  }
  return JSON.parse(block.textContent) as PageConfig;
}

function renderPage(): void {
  const feed = document.querySelector<HTMLElement>('[data-feed]');
  const feedEnd = document.querySelector<HTMLElement>('[data-feed-end]');
  if (feed && feedEnd) {
    startFeed(config, feed, feedEnd);
  }

  const thread = document.querySelector<HTMLElement>('[data-thread]');
  const replies = document.querySelector<HTMLElement>('[data-replies]');
  if (config.thread && thread && replies) {
    for (const post of config.thread.items) {
      thread.append(renderPost(post));
    }
    for (const post of config.thread.replies) {
      replies.append(renderPost(post));
    }
  }
}

/** Shows a new post where the page lists posts of its kind. */
function onPosted(post: PostJson, target: ReplyTarget | null): void {
  if (target === null) {
    const showsOwnPosts =
      config.page === 'home' || (config.page === 'profile' && config.profile?.pk === config.viewer.pk);
    const feed = document.querySelector('[data-feed]');
    if (showsOwnPosts && feed) {
      feed.querySelector('[data-feed-empty]')?.remove();
      feed.prepend(renderPost(post));
    }
    return;
  }

  const shownCode = config.thread?.items.at(-1)?.code;
  if (target.code === shownCode) {
    document.querySelector('[data-replies]')?.append(renderPost(post));
  }
  for (const button of document.querySelectorAll<HTMLElement>(
    `[data-action="reply"][data-code="${target.code}"]`,
  )) {
    const count = button.querySelector('.count');
    if (count) {
      count.textContent = String(Number(count.textContent || '0') + 1);
    }
  }
}

async function toggleLike(button: HTMLElement, code: string): Promise<void> {
  if (pendingLikes.has(code)) {
    return;
  }
  pendingLikes.add(code);
  const action = button.getAttribute('aria-pressed') === 'true' ? 'unlike' : 'like';

  try {
    const result = await postJson<LikeResultJson>('/api/like', { code, action });
    if (!result.ok) {
      if (result.body?.feedback_message) {
        showBlockedNotice(result.body.feedback_title ?? 'Try Again Later', result.body.feedback_message);
      }
      return;
    }
    for (const likeButton of document.querySelectorAll<HTMLElement>(
      `[data-action="like"][data-code="${code}"]`,
    )) {
      likeButton.setAttribute('aria-label', result.body.has_liked ? 'Unlike' : 'Like');
      likeButton.setAttribute('aria-pressed', String(result.body.has_liked));
      const count = likeButton.querySelector('.count');
      if (count) {
        count.textContent = result.body.like_count > 0 ? String(result.body.like_count) : '';
      }
    }
  } catch (error) {
    console.error('Like request failed', error);
  } finally {
    pendingLikes.delete(code);
  }
}
