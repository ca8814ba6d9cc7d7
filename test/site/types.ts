/** Options of `startTestSite`. */
export interface TestSiteOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 0, which picks a free port. */
  port?: number;
  /** The account every logged-in visitor acts as. Default `demo_user`. */
  username?: string;
  /** Whether pages require the session cookie. Default false: every visitor is logged in. */
  requireLogin?: boolean;
  /** Whether the home feed contains posts by other users. Default true. */
  seedFeed?: boolean;
}

/** Switches that make the site misbehave the way the real one sometimes does. */
export interface Behaviour {
  /** Milliseconds the server waits before it responds to a submit. */
  submitDelayMs: number;
  /** Submits fail with HTTP 500, so the composer shows an error text and no post is created. */
  failSubmit: boolean;
  /** Submits create the post, but the page shows no "Posted" toast. */
  noToast: boolean;
  /** Pages redirect to `/login` unless the request carries the session cookie. */
  requireLogin: boolean;
  /** Every page redirects to the checkpoint page `/challenge/`. */
  checkpoint: boolean;
  /** Submits and likes fail with the "We restrict certain activity" notice. */
  actionBlocked: boolean;
}

/** A file attached to a post through the composer's file input. */
export interface MediaRecord {
  name: string;
  /** MIME type the browser reported. */
  type: string;
  /** Size in bytes. */
  size: number;
  /** Natural width in pixels as the preview measured it, 0 when the browser could not decode it. */
  width: number;
  height: number;
}

/** A post or reply created through the composer. */
export interface SitePost {
  code: string;
  pk: string;
  username: string;
  text: string;
  /** Code of the post this one replies to, null for a top-level post. */
  replyTo: string | null;
  media: MediaRecord[];
  /** Creation time in Unix milliseconds. */
  createdAt: number;
  /** Path of the permalink, `/@{username}/post/{code}`. */
  permalink: string;
  /** Absolute permalink URL on this site. */
  url: string;
}

/** Result of one submit request. */
export type SubmitOutcome =
  | 'pending'
  | 'created'
  | 'failed'
  | 'blocked'
  | 'rejected'
  | 'unauthorized'
  | 'checkpoint';

/** One submit request as the server received it. */
export interface SubmitRecord {
  /** 1 for the first submit since start or reset, then counting up. */
  seq: number;
  /** Arrival time in Unix milliseconds. */
  receivedAt: number;
  text: string;
  replyTo: string | null;
  mediaCount: number;
  outcome: SubmitOutcome;
  /** Code of the created post when `outcome` is `created`. */
  code: string | null;
  /** Reason when the submit was rejected or failed. */
  error: string | null;
}

export type LikeOutcome = 'ok' | 'blocked' | 'not_found' | 'rejected' | 'unauthorized' | 'checkpoint';

/** One like or unlike request as the server received it. */
export interface LikeRecord {
  receivedAt: number;
  code: string;
  action: 'like' | 'unlike';
  outcome: LikeOutcome;
}

/** A running test site. */
export interface TestSite {
  /** Origin without a trailing slash, such as `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly username: string;
  /** The cookie that counts as logged in when `requireLogin` is on. */
  readonly sessionCookie: { name: string; value: string };
  /** Every post created through the composer, replies included, in order of creation. */
  readonly posts: readonly SitePost[];
  /** Every submit request received, failed ones included. */
  readonly submits: readonly SubmitRecord[];
  /** Every like and unlike request received. */
  readonly likes: readonly LikeRecord[];
  /** A copy of the current settings. */
  readonly behaviour: Behaviour;
  setBehaviour(patch: Partial<Behaviour>): void;
  /** Clears posts, submits and likes and sets the behaviour back to its defaults. */
  reset(): void;
  /** Stops listening and destroys every open socket. Safe to call twice. */
  close(): Promise<void>;
}

/** Body of `GET /__site/state`. */
export interface SiteState {
  username: string;
  posts: readonly SitePost[];
  submits: readonly SubmitRecord[];
  likes: readonly LikeRecord[];
  behaviour: Behaviour;
}
