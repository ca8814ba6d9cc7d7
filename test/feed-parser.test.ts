import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { threadsPostSchema } from '../shared/feed.js';
import {
  embeddedFeedPages,
  extractSjsBlocks,
  FeedCollector,
  normalizeDomPost,
  normalizeFeedThreads,
  parseFeedAnswer,
} from '../worker/sites/threads/feed.js';
import { GraphqlAnswerError } from '../worker/sites/threads/posts.js';

const BASE_URL = 'https://www.threads.com';
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/threads/${name}`, import.meta.url), 'utf8');

/** The parts of the fixture's shape that the large-feed test rewrites. */
interface FixtureAnswer {
  data: {
    feedData: {
      edges: Array<{
        cursor: string;
        node: {
          text_post_app_thread: {
            thread_items: Array<{
              post: { pk: string; id: string; code: string; caption: { text: string } };
            }>;
          };
        };
      }>;
    };
  };
}

function feedPosts(body: string) {
  return normalizeFeedThreads(parseFeedAnswer(body).threads, BASE_URL);
}

function byCode(code: string) {
  const post = feedPosts(fixture('feed-page.json')).find((item) => item.code === code);
  if (!post) throw new Error(`the fixture has no post ${code}`);
  return post;
}

describe('feed response parser', () => {
  it('reads every thread item in feed order', () => {
    const posts = feedPosts(fixture('feed-page.json'));

    expect(posts.map((post) => post.code)).toEqual([
      'DQa1Plain01',
      'DQa2Quote02',
      'DQa3Carou03',
      'DQa4Video04',
      'DQa5Quest05',
      'DQa6Answe06',
      null,
      'DQa8NoCap08',
    ]);
    for (const post of posts) expect(threadsPostSchema.safeParse(post).success).toBe(true);
  });

  it('reads pagination info', () => {
    const page = parseFeedAnswer(fixture('feed-page.json'));

    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: 'QVFD8' });
    expect(page.threads).toHaveLength(7);
  });

  it('normalizes a text post', () => {
    const post = byCode('DQa1Plain01');

    expect(post.id).toBe('3501100000000000001');
    expect(post.permalink).toBe('https://www.threads.com/@ana.rivera/post/DQa1Plain01');
    expect(post.author).toEqual({ username: 'ana.rivera', verified: true });
    expect(post.text).toBe('Morning walk done. The river was louder than the traffic today.');
    expect(post.takenAt).toBe('2026-01-01T11:00:00.000Z');
    expect(post.counts).toEqual({ likes: 42, replies: 3, reposts: 2, quotes: 1 });
    expect(post.mediaType).toBe('text');
    expect(post.media).toEqual([]);
    expect(post.isReply).toBe(false);
    expect(post.quotedPost).toBeNull();
    expect(post.unavailable).toBe(false);
  });

  it('reads a quote with its quoted post', () => {
    const post = byCode('DQa2Quote02');

    expect(post.text).toBe('This is the kind of morning I need more of.');
    expect(post.quotedPost).toEqual({
      id: '3501100000000000001',
      code: 'DQa1Plain01',
      permalink: 'https://www.threads.com/@ana.rivera/post/DQa1Plain01',
      author: { username: 'ana.rivera', verified: true },
      text: 'Morning walk done. The river was louder than the traffic today.',
      unavailable: false,
    });
  });

  it('reads each carousel item', () => {
    const post = byCode('DQa3Carou03');

    expect(post.mediaType).toBe('carousel');
    expect(post.media).toHaveLength(3);
    expect(post.media.every((item) => item.type === 'image')).toBe(true);
    expect(post.media[0]?.url).toContain('shelf-sketch_n.jpg');
    expect(post.media[2]?.url).toContain('shelf-done_n.jpg');
  });

  it('reads a video by its first version', () => {
    const post = byCode('DQa4Video04');

    expect(post.mediaType).toBe('video');
    expect(post.media).toEqual([
      { type: 'video', url: 'https://scontent.cdninstagram.com/o1/v/t16/f2/m86/harbour_720.mp4?efg=1' },
    ]);
    expect(post.counts).toEqual({ likes: 980, replies: 41, reposts: 15, quotes: 0 });
  });

  it('links a reply to the item before it', () => {
    const question = byCode('DQa5Quest05');
    const answer = byCode('DQa6Answe06');

    expect(question.isReply).toBe(false);
    expect(question.replyToCode).toBeNull();
    expect(answer.isReply).toBe(true);
    expect(answer.replyToAuthor).toBe('kenji_dev');
    expect(answer.replyToCode).toBe('DQa5Quest05');
  });

  it('marks a tombstone as unavailable', () => {
    const tombstone = feedPosts(fixture('feed-page.json')).find((post) => post.unavailable);

    expect(tombstone).toBeDefined();
    expect(tombstone?.id).toBe('3501100000000000007');
    expect(tombstone?.code).toBeNull();
    expect(tombstone?.permalink).toBeNull();
    expect(tombstone?.author).toBeNull();
    expect(tombstone?.text).toBeNull();
    expect(tombstone?.takenAt).toBeNull();
  });

  it('keeps a null caption as null text', () => {
    const post = byCode('DQa8NoCap08');

    expect(post.text).toBeNull();
    expect(post.mediaType).toBe('image');
    expect(post.media).toHaveLength(1);
    expect(post.media[0]?.url).toContain('workbench_n.jpg');
  });

  it('skips edges that are not threads', () => {
    const page = parseFeedAnswer(fixture('feed-page.json'));

    expect(page.threads.flat()).toHaveLength(8);
  });
});

describe('feed response failures', () => {
  it('rejects errors with data null', () => {
    expect(() => parseFeedAnswer(fixture('feed-errors.json'))).toThrow(GraphqlAnswerError);
    expect(() => parseFeedAnswer(fixture('feed-errors.json'))).toThrow(/missing_required_variable_value/);
  });

  it('rejects an empty body', () => {
    const body = fixture('feed-empty-body.txt');

    expect(body).toBe('');
    expect(() => parseFeedAnswer(body)).toThrow(GraphqlAnswerError);
    expect(() => parseFeedAnswer(body)).toThrow(/empty/);
    expect(() => parseFeedAnswer(' \n')).toThrow(/empty/);
  });

  it('rejects data without feedData', () => {
    expect(() => parseFeedAnswer('{"data":{"viewer":null}}')).toThrow(/feedData/);
  });

  it('rejects a body that is not JSON', () => {
    expect(() => parseFeedAnswer('<!DOCTYPE html><html>Log in</html>')).toThrow(GraphqlAnswerError);
  });

  it('reads first object of streamed response', () => {
    const first = JSON.stringify(JSON.parse(fixture('feed-page.json')));
    const deferred = JSON.stringify({ label: 'deferred', path: ['feedData'], data: {} });
    const posts = feedPosts(`for (;;);${first}\n${deferred}\n`);

    expect(posts).toHaveLength(8);
  });
});

describe('large feed response', () => {
  it('parses a 5 MB feed', () => {
    const template = JSON.parse(fixture('feed-page.json')) as FixtureAnswer;
    const edge = template.data.feedData.edges[0];
    if (!edge) throw new Error('the fixture has no edges');
    const edges: (typeof edge)[] = [];
    let index = 0;
    let size = 0;
    while (size < 5 * 1024 * 1024) {
      const copy = structuredClone(edge);
      const post = copy.node.text_post_app_thread.thread_items[0]?.post;
      if (!post) throw new Error('the fixture edge has no post');
      post.pk = String(9_000_000_000_000_000 + index);
      post.id = `${post.pk}_63118842301`;
      post.code = `Big${String(index).padStart(8, '0')}`;
      post.caption.text = `Post number ${index}: ${'lorem ipsum dolor sit amet '.repeat(20)}`;
      copy.cursor = `cursor-${index}`;
      edges.push(copy);
      size += JSON.stringify(copy).length;
      index += 1;
    }
    const body = JSON.stringify({
      data: { feedData: { edges, page_info: { has_next_page: false, end_cursor: `cursor-${index - 1}` } } },
    });

    const started = performance.now();
    const posts = feedPosts(body);
    const elapsedMs = performance.now() - started;

    expect(body.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(posts).toHaveLength(index);
    expect(posts.at(-1)?.code).toBe(`Big${String(index - 1).padStart(8, '0')}`);
    expect(new Set(posts.map((post) => post.id)).size).toBe(index);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});

describe('embedded page data', () => {
  const html = fixture('home-page.html');

  it('extracts only data-sjs JSON blocks', () => {
    const blocks = extractSjsBlocks(html);

    expect(blocks).toHaveLength(4);
    expect(blocks.some((block) => block.includes('"site-config"'))).toBe(false);
  });

  it('finds the feed beside unrelated blocks', () => {
    const pages = embeddedFeedPages(extractSjsBlocks(html));

    expect(pages).toHaveLength(1);
    expect(pages[0]?.pageInfo).toEqual({ hasNextPage: true, endCursor: 'QVFD6' });
    const posts = normalizeFeedThreads(pages[0]?.threads ?? [], BASE_URL);
    expect(posts.map((post) => post.code)).toEqual(['DQa1Plain01', 'DQa5Quest05', 'DQa6Answe06']);
    expect(posts[2]?.replyToCode).toBe('DQa5Quest05');
  });

  it('returns nothing for a page without feed data', () => {
    expect(embeddedFeedPages(['{"require":[]}', 'not json', '[]'])).toEqual([]);
  });
});

describe('feed collector', () => {
  const page = () => parseFeedAnswer(fixture('feed-page.json'));

  it('stops at the limit', () => {
    const collector = new FeedCollector(5, BASE_URL);
    collector.add(page());

    expect(collector.done).toBe(true);
    expect(collector.result()).toHaveLength(5);
  });

  it('drops posts seen before', () => {
    const collector = new FeedCollector(100, BASE_URL);

    expect(collector.add(page())).toBe(8);
    expect(collector.add(page())).toBe(0);
    expect(collector.size).toBe(8);
  });

  it('stops when the cursor stops moving', () => {
    const collector = new FeedCollector(100, BASE_URL);
    collector.add(page());
    expect(collector.done).toBe(false);

    collector.add(page());
    expect(collector.done).toBe(true);
  });

  it('stops without a next page', () => {
    const collector = new FeedCollector(100, BASE_URL);
    collector.add({ threads: [], pageInfo: { hasNextPage: false, endCursor: 'x' } });

    expect(collector.done).toBe(true);
  });
});

describe('DOM post reader', () => {
  it('reads a post from attributes', () => {
    const post = normalizeDomPost(
      {
        permalinks: ['/@kenji_dev/post/DQa2Quote02', '/@ana.rivera/post/DQa1Plain01'],
        datetime: '2026-01-01T10:00:00.000Z',
        text: 'This is the kind of morning I need more of.',
        media: [],
      },
      BASE_URL,
    );

    expect(post?.code).toBe('DQa2Quote02');
    expect(post?.permalink).toBe('https://www.threads.com/@kenji_dev/post/DQa2Quote02');
    expect(post?.author?.username).toBe('kenji_dev');
    expect(post?.takenAt).toBe('2026-01-01T10:00:00.000Z');
    expect(post?.quotedPost?.code).toBe('DQa1Plain01');
    expect(post?.counts.likes).toBeNull();
  });

  it('skips a container without a permalink', () => {
    expect(normalizeDomPost({ permalinks: [], datetime: null, text: null, media: [] }, BASE_URL)).toBeNull();
  });
});
