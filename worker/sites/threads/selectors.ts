/**
 * Every URL path, selector and text the Threads adapter relies on. The real site changes its markup
 * without notice, so these stay in one place and prefer roles, attributes and JSON to class names.
 */
export const threadsPaths = {
  home: '/',
  profile: (username: string) => `/@${username}`,
  permalink: (username: string, code: string) => `/@${username}/post/${code}`,
  /** Paths that mean the session is gone: the Threads and Instagram login pages. */
  loginPattern: /\/(login|accounts\/login)(\/|\?|$)/,
  checkpointPattern: /\/(challenge|checkpoint)(\/|\?|$)/,
  permalinkPattern: /^\/@([A-Za-z0-9._]+)\/post\/([A-Za-z0-9_-]+)\/?$/,
};

export const threadsSelectors = {
  /** The composer prompt on the home page; its text is localized, so English is one option. */
  composerPrompt: 'div[role="button"]:has-text("What\'s new?")',
  /** The navigation's profile link, whose href names the logged-in account. */
  profileLink: 'nav a[href^="/@"], [role="navigation"] a[href^="/@"]',
  loginForm: 'form input[type="password"], input[name="password"]',
  dialog: '[role="dialog"]',
  editor: '[role="dialog"] div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]',
  fileInput: '[role="dialog"] input[type="file"]',
  /** The Post control inside the dialog; the inline row's Post only opens the dialog. */
  postButton: '[role="dialog"] div[role="button"]:text-is("Post")',
  enabledPostButton: '[role="dialog"] div[role="button"]:text-is("Post"):not([aria-disabled="true"])',
  toastViewLink: 'a:text-is("View")',
  toastText: 'text="Posted"',
  composerError: '[role="dialog"] [role="alert"]',
  actionBlocked: 'text=/we restrict certain activity/i',
  post: 'div[data-pressable-container="true"]',
  /** A post container that links to the permalink with this code. */
  postWithCode: (code: string) => `div[data-pressable-container="true"]:has(a[href*="/post/${code}"])`,
  authorLink: 'a[href^="/@"]',
  likeButton: '[aria-label="Like"]',
  unlikeButton: '[aria-label="Unlike"]',
  replyButton: '[aria-label="Reply"]',
  unavailable: 'text=/this post is unavailable/i',
};

export const threadsGraphql = {
  path: '/graphql/query',
  friendlyNameHeader: 'x-fb-friendly-name',
  homeFeed: 'BarcelonaFeedPaginationDirectQuery',
  profileThreads: 'BarcelonaProfileThreadsTabDirectQuery',
};

/** Where the home feed's data sits, and the attribute-only selectors of its DOM fallback. */
export const threadsFeed = {
  /** The key of the home feed's connection in a GraphQL result and in embedded page data. */
  feedDataKey: 'feedData',
  embeddedDataBlock: 'script[type="application/json"][data-sjs]',
  post: 'div[data-pressable-container="true"]',
  /** The first match in a post is its own permalink; a later, different one is the quoted post's. */
  permalink: 'a[href*="/post/"]',
  time: 'time[datetime]',
  /** Text blocks of a post; the caption is the first one outside a link. */
  text: '[dir="auto"]',
  media: 'img[src], video[src], video source[src]',
};
