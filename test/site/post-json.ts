/**
 * JSON shapes of the Threads web app's GraphQL responses, as far as the test site reproduces them.
 * The server builds them and the page script renders them.
 */

/** `media_type` values: 1 image, 2 video, 8 carousel, 19 text only. */
export type MediaType = 1 | 2 | 8 | 19;

export interface PostUserJson {
  pk: string;
  id: string;
  username: string;
  is_verified: boolean;
  profile_pic_url: string;
}

export interface ImageCandidateJson {
  url: string;
  width: number;
  height: number;
}

export interface VideoVersionJson {
  type: number;
  url: string;
  width: number;
  height: number;
}

/** An item of `carousel_media`. */
export interface CarouselItemJson {
  pk: string;
  id: string;
  media_type: 1 | 2;
  image_versions2: { candidates: ImageCandidateJson[] };
  video_versions: VideoVersionJson[] | null;
  original_width: number;
  original_height: number;
}

export interface PostJson {
  pk: string;
  /** `{pk}_{user pk}`. */
  id: string;
  code: string;
  /** Unix seconds. */
  taken_at: number;
  media_type: MediaType;
  caption: { text: string } | null;
  user: PostUserJson;
  like_count: number;
  has_liked: boolean;
  image_versions2: { candidates: ImageCandidateJson[] };
  carousel_media: CarouselItemJson[] | null;
  video_versions: VideoVersionJson[] | null;
  original_width: number;
  original_height: number;
  is_post_unavailable: boolean;
  text_post_app_info: {
    direct_reply_count: number;
    repost_count: number;
    quote_count: number;
    is_reply: boolean;
    reply_to_author: { pk: string; username: string } | null;
    share_info: {
      quoted_post: PostJson | null;
      reposted_post: PostJson | null;
      can_repost: boolean;
      can_quote_post: boolean;
    };
    can_reply: boolean;
    has_viewer_replied: boolean;
  };
}

export interface ThreadItemJson {
  post: PostJson;
  /** How the item joins the next one in a thread: `line` when a reply follows, else `none`. */
  line_type: 'line' | 'none';
}

export interface ThreadJson {
  id: string;
  thread_items: ThreadItemJson[];
}

/** Relay pagination info. */
export interface PageInfoJson {
  has_next_page: boolean;
  end_cursor: string | null;
}

export interface FeedQueryJson {
  data: {
    feedData: {
      edges: { node: { text_post_app_thread: ThreadJson }; cursor: string }[];
      page_info: PageInfoJson;
    };
  };
}

export interface ProfileThreadsQueryJson {
  data: {
    mediaData: {
      edges: { node: ThreadJson; cursor: string }[];
      page_info: PageInfoJson;
    };
  };
}

/** GraphQL operation names the page script sends in `x-fb-friendly-name`. */
export const FEED_QUERY_NAME = 'BarcelonaFeedPaginationDirectQuery';
export const PROFILE_THREADS_QUERY_NAME = 'BarcelonaProfileThreadsTabDirectQuery';

/** Settings the server hands to the page script in a `<script type="application/json" id="site-config">`. */
export interface PageConfig {
  page: 'home' | 'profile' | 'post';
  viewer: { username: string; pk: string };
  /** `doc_id` per operation name. The values change at every server start, as the real ones rotate. */
  docIds: Record<string, string>;
  /** Token the page script sends as `lsd`, like the real page does. */
  lsd: string;
  /** The profile shown, on a profile page. */
  profile: { username: string; pk: string } | null;
  /** The thread and its replies, on a permalink page. */
  thread: { items: PostJson[]; replies: PostJson[] } | null;
}

/** Body of `POST /api/post`. */
export interface SubmitRequestJson {
  text: string;
  replyTo: string | null;
  media: { name: string; type: string; size: number; width: number; height: number; data: string }[];
}

/** Body of a failed response to `POST /api/post` or `POST /api/like`. */
export interface FailureJson {
  status: 'fail';
  message: string;
  /** Set when the account is blocked from the action: the title and text of the notice. */
  feedback_title?: string;
  feedback_message?: string;
  checkpoint_url?: string;
}

/** Body of a successful response to `POST /api/post`. */
export interface SubmitResultJson {
  status: 'ok';
  post: PostJson;
  permalink: string;
  /** False when the server is set to create the post without the page's toast. */
  show_toast: boolean;
}

/** Body of a successful response to `POST /api/like`. */
export interface LikeResultJson {
  status: 'ok';
  has_liked: boolean;
  like_count: number;
}
