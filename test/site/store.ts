import { randomBytes } from 'node:crypto';
import type {
  CarouselItemJson,
  ImageCandidateJson,
  MediaType,
  PostJson,
  PostUserJson,
  ThreadJson,
  VideoVersionJson,
} from './post-json.js';
import type { LikeRecord, MediaRecord, SitePost, SubmitRecord } from './types.js';

export interface StoredUser {
  pk: string;
  username: string;
  isVerified: boolean;
}

/** A post as the store keeps it. Counts that depend on other posts are computed when rendered. */
export interface StoredPost {
  /** Order of creation, which breaks ties between posts of the same second. */
  seq: number;
  pk: string;
  code: string;
  userPk: string;
  /** Unix seconds. */
  takenAt: number;
  text: string | null;
  mediaType: MediaType;
  images: ImageCandidateJson[];
  carousel: CarouselItemJson[] | null;
  video: VideoVersionJson[] | null;
  width: number;
  height: number;
  replyTo: string | null;
  quotedCode: string | null;
  likeCount: number;
  /** Replies and quotes counted on top of those in the store, so seeded posts look lived-in. */
  extraReplyCount: number;
  extraQuoteCount: number;
  repostCount: number;
  unavailable: boolean;
  canReply: boolean;
}

/** Fields a new post needs, everything else takes a default. */
export type NewPost = Pick<StoredPost, 'userPk' | 'text'> & Partial<Omit<StoredPost, 'seq' | 'pk' | 'code'>>;

const SHORTCODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Returns an 11-character shortcode of letters, digits, `-` and `_`, like the real ones. */
export function createShortcode(): string {
  const bytes = randomBytes(11);
  let code = '';
  for (const byte of bytes) {
    code += SHORTCODE_ALPHABET[byte & 63];
  }
  return code;
}

/** Returns a random numeric id of 19 digits, as a string because it exceeds 2^53. */
export function createNumericId(): string {
  const digits = randomBytes(19);
  let id = String((digits[0]! % 9) + 1);
  for (const byte of digits.subarray(1)) {
    id += String(byte % 10);
  }
  return id;
}

export function imageUrl(seed: string, width: number, height: number): string {
  return `/media/img/${encodeURIComponent(seed)}-${width}x${height}.png`;
}

export function avatarUrl(username: string): string {
  return `/media/avatar/${encodeURIComponent(username)}.png`;
}

/** Logs and content of the site, shared by the HTTP handlers. */
export class SiteStore {
  readonly viewer: StoredUser;
  readonly sitePosts: SitePost[] = [];
  readonly submits: SubmitRecord[] = [];
  readonly likes: LikeRecord[] = [];
  /** Threads of the home feed that are not the viewer's own posts, each a list of codes. */
  readonly seedThreads: string[][] = [];

  private readonly users = new Map<string, StoredUser>();
  private readonly posts = new Map<string, StoredPost>();
  private readonly likedByViewer = new Set<string>();
  private nextSeq = 1;

  constructor(viewerUsername: string) {
    this.viewer = this.addUser(viewerUsername, false);
  }

  /** Adds a user, or returns the existing one of that name. */
  addUser(username: string, isVerified: boolean): StoredUser {
    const existing = this.findUser(username);
    if (existing) {
      return existing;
    }
    const user: StoredUser = { pk: String(63_000_000_000 + this.users.size * 7_919), username, isVerified };
    this.users.set(user.pk, user);
    return user;
  }

  findUser(username: string): StoredUser | undefined {
    for (const user of this.users.values()) {
      if (user.username === username) {
        return user;
      }
    }
    return undefined;
  }

  findUserByPk(pk: string): StoredUser | undefined {
    return this.users.get(pk);
  }

  findPost(code: string): StoredPost | undefined {
    return this.posts.get(code);
  }

  addPost(input: NewPost): StoredPost {
    const post: StoredPost = {
      takenAt: Math.floor(Date.now() / 1000),
      mediaType: 19,
      images: [],
      carousel: null,
      video: null,
      width: 612,
      height: 612,
      replyTo: null,
      quotedCode: null,
      likeCount: 0,
      extraReplyCount: 0,
      extraQuoteCount: 0,
      repostCount: 0,
      unavailable: false,
      canReply: true,
      ...input,
      seq: this.nextSeq++,
      pk: createNumericId(),
      code: createShortcode(),
    };
    this.posts.set(post.code, post);
    return post;
  }

  /** Marks a post as liked by the viewer. Returns false when it was liked already. */
  like(post: StoredPost): boolean {
    if (this.likedByViewer.has(post.code)) {
      return false;
    }
    this.likedByViewer.add(post.code);
    post.likeCount += 1;
    return true;
  }

  /** Removes the viewer's like. Returns false when the post was not liked. */
  unlike(post: StoredPost): boolean {
    if (!this.likedByViewer.delete(post.code)) {
      return false;
    }
    post.likeCount = Math.max(0, post.likeCount - 1);
    return true;
  }

  hasLiked(code: string): boolean {
    return this.likedByViewer.has(code);
  }

  /** Records a post made through the composer. */
  recordSitePost(post: StoredPost, media: MediaRecord[], origin: string): SitePost {
    const permalink = this.permalinkOf(post);
    const record: SitePost = {
      code: post.code,
      pk: post.pk,
      username: this.viewer.username,
      text: post.text ?? '',
      replyTo: post.replyTo,
      media,
      createdAt: Date.now(),
      permalink,
      url: origin + permalink,
    };
    this.sitePosts.push(record);
    return record;
  }

  permalinkOf(post: StoredPost): string {
    return `/@${this.userOf(post).username}/post/${post.code}`;
  }

  userOf(post: StoredPost): StoredUser {
    const user = this.users.get(post.userPk);
    if (!user) {
      throw new Error(`Post ${post.code} names user pk ${post.userPk}, which the store does not contain`);
    }
    return user;
  }

  /** Replies to the post, oldest first. */
  repliesTo(code: string): StoredPost[] {
    return [...this.posts.values()].filter((post) => post.replyTo === code).sort((a, b) => a.seq - b.seq);
  }

  /** Top-level posts of a user, newest first. */
  postsBy(userPk: string): StoredPost[] {
    return [...this.posts.values()]
      .filter((post) => post.userPk === userPk && post.replyTo === null)
      .sort((a, b) => b.takenAt - a.takenAt || b.seq - a.seq);
  }

  /** Threads of the home feed: the viewer's own top-level posts, newest first, then the seeded threads. */
  homeThreads(): string[][] {
    const own = this.postsBy(this.viewer.pk).map((post) => [post.code]);
    return [...own, ...this.seedThreads];
  }

  toThreadJson(codes: string[]): ThreadJson {
    const posts = codes.map((code) => this.requirePost(code));
    return {
      id: posts[0]?.pk ?? '0',
      thread_items: posts.map((post, index) => ({
        post: this.toPostJson(post),
        line_type: index < posts.length - 1 ? 'line' : 'none',
      })),
    };
  }

  toPostJson(post: StoredPost, depth = 0): PostJson {
    const user = this.userOf(post);
    const parent = post.replyTo ? this.posts.get(post.replyTo) : undefined;
    const parentUser = parent ? this.userOf(parent) : undefined;
    const quoted = post.quotedCode ? this.posts.get(post.quotedCode) : undefined;
    const replies = this.repliesTo(post.code);
    const quotes = [...this.posts.values()].filter((other) => other.quotedCode === post.code).length;

    return {
      pk: post.pk,
      id: `${post.pk}_${user.pk}`,
      code: post.code,
      taken_at: post.takenAt,
      media_type: post.mediaType,
      caption: post.text === null ? null : { text: post.text },
      user: this.toUserJson(user),
      like_count: post.likeCount,
      has_liked: this.likedByViewer.has(post.code),
      image_versions2: { candidates: post.images },
      carousel_media: post.carousel,
      video_versions: post.video,
      original_width: post.width,
      original_height: post.height,
      is_post_unavailable: post.unavailable,
      text_post_app_info: {
        direct_reply_count: post.extraReplyCount + replies.length,
        repost_count: post.repostCount,
        quote_count: post.extraQuoteCount + quotes,
        is_reply: post.replyTo !== null,
        reply_to_author: parentUser ? { pk: parentUser.pk, username: parentUser.username } : null,
        share_info: {
          // A quoted post shows its own quote only one level deep, as the real app does.
          quoted_post: quoted && depth === 0 ? this.toPostJson(quoted, depth + 1) : null,
          reposted_post: null,
          can_repost: !post.unavailable,
          can_quote_post: !post.unavailable,
        },
        can_reply: post.canReply && !post.unavailable,
        has_viewer_replied: replies.some((reply) => reply.userPk === this.viewer.pk),
      },
    };
  }

  /** Clears what tests created and restores the seeded posts' likes. */
  clear(): void {
    for (const record of this.sitePosts) {
      this.posts.delete(record.code);
    }
    for (const code of this.likedByViewer) {
      const post = this.posts.get(code);
      if (post) {
        post.likeCount = Math.max(0, post.likeCount - 1);
      }
    }
    this.likedByViewer.clear();
    this.sitePosts.length = 0;
    this.submits.length = 0;
    this.likes.length = 0;
  }

  private toUserJson(user: StoredUser): PostUserJson {
    return {
      pk: user.pk,
      id: user.pk,
      username: user.username,
      is_verified: user.isVerified,
      profile_pic_url: avatarUrl(user.username),
    };
  }

  private requirePost(code: string): StoredPost {
    const post = this.posts.get(code);
    if (!post) {
      throw new Error(`Thread names post ${code}, which the store does not contain`);
    }
    return post;
  }
}
