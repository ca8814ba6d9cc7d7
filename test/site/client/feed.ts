import {
  FEED_QUERY_NAME,
  type FeedQueryJson,
  type PageConfig,
  type PageInfoJson,
  PROFILE_THREADS_QUERY_NAME,
  type ProfileThreadsQueryJson,
  type ThreadJson,
} from '../post-json.js';
import { graphqlQuery } from './api.js';
import { el, roleButton } from './dom.js';
import { renderThread } from './render.js';

const PAGE_SIZE = 8;

/**
 * Loads a home feed or a profile's threads page by page with the same GraphQL queries as the real
 * app, and loads the next page whenever the end marker scrolls into view.
 */
export function startFeed(config: PageConfig, list: HTMLElement, endMarker: HTMLElement): void {
  let cursor: string | null = null;
  let hasNextPage = true;
  let loading = false;

  const fetchPage = async (): Promise<{ threads: ThreadJson[]; pageInfo: PageInfoJson }> => {
    const variables = { first: PAGE_SIZE, after: cursor };
    if (config.page === 'profile' && config.profile) {
      const answer = await graphqlQuery<ProfileThreadsQueryJson>(config, PROFILE_THREADS_QUERY_NAME, {
        ...variables,
        userID: config.profile.pk,
      });
      const { edges, page_info } = answer.data.mediaData;
      return { threads: edges.map((edge) => edge.node), pageInfo: page_info };
    }
    const answer = await graphqlQuery<FeedQueryJson>(config, FEED_QUERY_NAME, variables);
    const { edges, page_info } = answer.data.feedData;
    return { threads: edges.map((edge) => edge.node.text_post_app_thread), pageInfo: page_info };
  };

  const loadMore = async () => {
    if (loading || !hasNextPage) {
      return;
    }
    loading = true;
    list.setAttribute('aria-busy', 'true');
    list.querySelector('[data-feed-error]')?.remove();

    try {
      const { threads, pageInfo } = await fetchPage();
      for (const thread of threads) {
        list.append(renderThread(thread));
      }
      // A cursor that stops moving ends the feed, as it does for the real app's clients.
      hasNextPage = pageInfo.has_next_page && pageInfo.end_cursor !== null && pageInfo.end_cursor !== cursor;
      cursor = pageInfo.end_cursor;
      if (!hasNextPage && list.querySelector('[data-pressable-container]') === null) {
        list.append(el('p', { 'data-feed-empty': '' }, 'No threads yet.'));
      }
    } catch (error) {
      console.error('Feed page failed to load', error);
      const retry = roleButton({ class: 'pill' }, 'Retry');
      retry.addEventListener('click', () => void loadMore());
      list.append(el('div', { role: 'alert', 'data-feed-error': '' }, "Couldn't load threads. ", retry));
      return;
    } finally {
      loading = false;
      list.setAttribute('aria-busy', 'false');
    }

    if (isInViewport(endMarker)) {
      void loadMore();
    }
  };

  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      void loadMore();
    }
  }).observe(endMarker);
  void loadMore();
}

function isInViewport(element: HTMLElement): boolean {
  const box = element.getBoundingClientRect();
  return box.top < window.innerHeight && box.bottom >= 0;
}
