import type { CarouselItemJson } from './post-json.js';
import { createNumericId, imageUrl, type SiteStore } from './store.js';

const HOUR = 3600;

/**
 * Fills the home feed with threads by other users, one of each kind the real feed carries:
 * plain text, a quote, a carousel, a video, a reply pair, a tombstone and an image without caption.
 * The first eight threads fill the first feed page, so while the viewer has no posts of their own,
 * that page contains every kind.
 */
export function seedFeed(store: SiteStore): void {
  const now = Math.floor(Date.now() / 1000);
  const ana = store.addUser('ana.rivera', true);
  const kenji = store.addUser('kenji_dev', false);
  const maya = store.addUser('maya.builds', false);
  const news = store.addUser('lorem_news', true);
  const quiet = store.addUser('quiet.account', false);

  const plain = store.addPost({
    userPk: ana.pk,
    text: 'Morning walk done. The river was louder than the traffic today.',
    takenAt: now - 1 * HOUR,
    likeCount: 42,
    extraReplyCount: 3,
    repostCount: 2,
  });

  const quote = store.addPost({
    userPk: kenji.pk,
    text: 'This is the kind of morning I need more of.',
    takenAt: now - 2 * HOUR,
    quotedCode: plain.code,
    likeCount: 7,
  });

  const carousel = store.addPost({
    userPk: maya.pk,
    text: 'Three stages of the shelf build: sketch, cut, done.',
    takenAt: now - 3 * HOUR,
    mediaType: 8,
    carousel: ['sketch', 'cut', 'done'].map((name) => carouselImage(`shelf-${name}`)),
    images: [],
    likeCount: 128,
    extraReplyCount: 12,
  });

  const video = store.addPost({
    userPk: news.pk,
    text: 'Thirty seconds of the harbour at dawn.',
    takenAt: now - 4 * HOUR,
    mediaType: 2,
    images: [{ url: imageUrl('harbour-poster', 720, 1280), width: 720, height: 1280 }],
    video: [{ type: 101, url: '/media/video/harbour.mp4', width: 720, height: 1280 }],
    width: 720,
    height: 1280,
    likeCount: 980,
    extraReplyCount: 41,
    repostCount: 15,
  });

  const question = store.addPost({
    userPk: kenji.pk,
    text: 'Tabs or spaces in 2026? Asking for a friend.',
    takenAt: now - 5 * HOUR,
    likeCount: 15,
  });
  const answer = store.addPost({
    userPk: ana.pk,
    text: 'Whatever the formatter says. Next question.',
    takenAt: now - 5 * HOUR + 600,
    replyTo: question.code,
    likeCount: 31,
  });

  const tombstone = store.addPost({
    userPk: quiet.pk,
    text: null,
    takenAt: now - 6 * HOUR,
    unavailable: true,
    canReply: false,
  });

  const noCaption = store.addPost({
    userPk: maya.pk,
    text: null,
    takenAt: now - 7 * HOUR,
    mediaType: 1,
    images: [{ url: imageUrl('workbench', 1080, 1080), width: 1080, height: 1080 }],
    width: 1080,
    height: 1080,
    likeCount: 56,
  });

  const accented = store.addPost({
    userPk: news.pk,
    text: 'Café terraces reopen on Monday ☕ Full list: https://example.com/terraces #citylife',
    takenAt: now - 8 * HOUR,
    likeCount: 230,
    extraReplyCount: 8,
  });

  const older = store.addPost({
    userPk: ana.pk,
    text: 'Reading list for the weekend:\n1. A book about rivers\n2. A book about bridges',
    takenAt: now - 26 * HOUR,
    likeCount: 19,
  });

  const oldest = store.addPost({
    userPk: kenji.pk,
    text: 'First post here. Hello!',
    takenAt: now - 72 * HOUR,
    likeCount: 3,
  });

  store.seedThreads.push(
    [plain.code],
    [quote.code],
    [carousel.code],
    [video.code],
    [question.code, answer.code],
    [tombstone.code],
    [noCaption.code],
    [accented.code],
    [older.code],
    [oldest.code],
  );
}

function carouselImage(seed: string): CarouselItemJson {
  const pk = createNumericId();
  return {
    pk,
    id: pk,
    media_type: 1,
    image_versions2: { candidates: [{ url: imageUrl(seed, 1080, 1350), width: 1080, height: 1350 }] },
    video_versions: null,
    original_width: 1080,
    original_height: 1350,
  };
}
