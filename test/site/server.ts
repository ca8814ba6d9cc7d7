import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Access, type ActionContext, checkAccess, handleLike, handleSubmit } from './actions.js';
import { bundleClientScript } from './bundle.js';
import { answerGraphql, createDocIds, profileThreadsPage } from './graphql.js';
import {
  BodyTooLargeError,
  parseCookies,
  parseJson,
  readBody,
  redirect,
  sendBody,
  sendHtml,
  sendJson,
} from './http.js';
import { MediaLibrary } from './media.js';
import {
  BUSY_LOOP_PAGE,
  homeMain,
  NEVER_LOADS_HEAD,
  postMain,
  profileMain,
  renderAppPage,
  renderChallengePage,
  renderLoginPage,
  renderNotFoundPage,
} from './pages.js';
import { type PageConfig, PROFILE_THREADS_QUERY_NAME } from './post-json.js';
import { seedFeed } from './seed.js';
import { SiteStore } from './store.js';
import type { Behaviour, SiteState, TestSite, TestSiteOptions } from './types.js';

export type * from './types.js';

const SESSION_COOKIE_NAME = 'sessionid';
/** Uploads travel base64-encoded in JSON, so this allows about 37 MB of media per submit. */
const MAX_SUBMIT_BODY_BYTES = 50 * 1024 * 1024;
const MAX_FORM_BODY_BYTES = 64 * 1024;
const CODE_PATTERN = '[A-Za-z0-9_-]+';
const USERNAME_PATTERN = '[A-Za-z0-9._]+';

function defaultBehaviour(requireLogin: boolean): Behaviour {
  return {
    submitDelayMs: 0,
    failSubmit: false,
    noToast: false,
    requireLogin,
    checkpoint: false,
    actionBlocked: false,
  };
}

/** Shared state of one running site, passed to every handler. */
interface Site {
  store: SiteStore;
  media: MediaLibrary;
  behaviour: Behaviour;
  /** `requireLogin` of the default behaviour, from the start options. */
  defaultRequireLogin: boolean;
  docIds: Record<string, string>;
  lsd: string;
  sessionCookie: { name: string; value: string };
  origin: string;
  clientScript: string;
  sleep(ms: number): Promise<void>;
}

/**
 * Starts a local copy of the Threads web app for browser tests: the same page structure,
 * attributes and GraphQL responses as the real site, with switches to make it fail on purpose.
 *
 * @example
 * const site = await startTestSite();
 * await page.goto(site.url);
 * site.setBehaviour({ failSubmit: true });
 * await site.close();
 */
export async function startTestSite(options: TestSiteOptions = {}): Promise<TestSite> {
  const host = options.host ?? '127.0.0.1';
  const username = options.username ?? 'demo_user';
  const initialRequireLogin = options.requireLogin ?? false;
  const clientScript = await bundleClientScript();

  const store = new SiteStore(username);
  if (options.seedFeed ?? true) {
    seedFeed(store);
  }
  const timers = new Set<NodeJS.Timeout>();
  const site: Site = {
    store,
    media: new MediaLibrary(),
    behaviour: defaultBehaviour(initialRequireLogin),
    defaultRequireLogin: initialRequireLogin,
    docIds: createDocIds(),
    lsd: randomBytes(12).toString('base64url'),
    sessionCookie: { name: SESSION_COOKIE_NAME, value: randomBytes(16).toString('hex') },
    origin: '',
    clientScript,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  };

  const server = createServer((request, response) => {
    handleRequest(site, request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        sendJson(response, 413, { status: 'fail', message: error.message });
        return;
      }
      console.error('Test site: request failed', request.method, request.url, error);
      if (!response.headersSent) {
        sendJson(response, 500, { status: 'fail', message: 'Internal server error' });
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  site.origin = `http://${hostForUrl}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: site.origin,
    username,
    sessionCookie: { ...site.sessionCookie },
    get posts() {
      return store.sitePosts;
    },
    get submits() {
      return store.submits;
    },
    get likes() {
      return store.likes;
    },
    get behaviour() {
      return { ...site.behaviour };
    },
    setBehaviour(patch) {
      Object.assign(site.behaviour, patch);
    },
    reset() {
      resetSite(site);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) {
          clearTimeout(timer);
        }
        timers.clear();
        server.close(() => resolve());
        // Ends keep-alive sockets and the held `/__site/never-loads` responses at once.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function resetSite(site: Site): void {
  site.store.clear();
  site.media.clearUploads();
  site.behaviour = defaultBehaviour(site.defaultRequireLogin);
}

async function handleRequest(site: Site, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', site.origin);
  const path = url.pathname;
  const method = request.method ?? 'GET';

  if (path.startsWith('/__site/')) {
    await handleControl(site, method, url, request, response);
    return;
  }
  if (path === '/static/app.js') {
    sendBody(response, 200, 'text/javascript; charset=utf-8', site.clientScript);
    return;
  }
  if (path.startsWith('/media/')) {
    const file = site.media.find(path);
    if (!file) {
      sendBody(response, 404, 'text/plain; charset=utf-8', 'Not found');
      return;
    }
    sendBody(response, 200, file.contentType, file.body);
    return;
  }
  if (path === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  if (path === '/login') {
    await handleLogin(site, method, url, request, response);
    return;
  }

  const access = accessOf(site, request);
  if (path === '/graphql/query' && method === 'POST') {
    await handleGraphql(site, access, request, response);
    return;
  }
  if (path === '/api/post' && method === 'POST') {
    const body = parseJson(await readBody(request, MAX_SUBMIT_BODY_BYTES));
    const result = await handleSubmit(actionContext(site, access), body);
    sendJson(response, result.status, result.body);
    return;
  }
  if (path === '/api/like' && method === 'POST') {
    const body = parseJson(await readBody(request, MAX_FORM_BODY_BYTES));
    const result = handleLike(actionContext(site, access), body);
    sendJson(response, result.status, result.body);
    return;
  }
  if (path.startsWith('/api/')) {
    const denied = checkAccess(access);
    sendJson(
      response,
      denied?.status ?? 404,
      denied?.body ?? { status: 'fail', message: `No API at ${path}` },
    );
    return;
  }

  if (method !== 'GET' && method !== 'HEAD') {
    sendJson(response, 405, { status: 'fail', message: `${method} is not allowed on ${path}` });
    return;
  }
  if (access === 'login') {
    redirect(response, `/login?next=${encodeURIComponent(path + url.search)}`);
    return;
  }
  if (path === '/challenge/') {
    if (access === 'checkpoint') {
      sendHtml(response, 200, renderChallengePage());
    } else {
      redirect(response, '/');
    }
    return;
  }
  if (access === 'checkpoint') {
    redirect(response, '/challenge/');
    return;
  }
  handlePage(site, path, response);
}

function accessOf(site: Site, request: IncomingMessage): Access {
  const cookie = parseCookies(request.headers.cookie).get(site.sessionCookie.name);
  if (site.behaviour.requireLogin && cookie !== site.sessionCookie.value) {
    return 'login';
  }
  return site.behaviour.checkpoint ? 'checkpoint' : 'ok';
}

function actionContext(site: Site, access: Access): ActionContext {
  return {
    store: site.store,
    media: site.media,
    behaviour: site.behaviour,
    origin: site.origin,
    access,
    sleep: site.sleep,
  };
}

function pageConfig(site: Site, page: PageConfig['page']): PageConfig {
  const { viewer } = site.store;
  return {
    page,
    viewer: { username: viewer.username, pk: viewer.pk },
    docIds: site.docIds,
    lsd: site.lsd,
    profile: null,
    thread: null,
  };
}

function handlePage(site: Site, path: string, response: ServerResponse): void {
  const { store } = site;
  if (path === '/') {
    const html = renderAppPage({
      title: 'Threads',
      config: pageConfig(site, 'home'),
      main: homeMain(store.viewer.username),
    });
    sendHtml(response, 200, html);
    return;
  }

  const profileMatch = new RegExp(`^/@(${USERNAME_PATTERN})/?$`).exec(path);
  if (profileMatch) {
    const user = store.findUser(profileMatch[1]!);
    if (!user) {
      sendHtml(response, 404, renderNotFoundPage("Sorry, this page isn't available."));
      return;
    }
    const config = { ...pageConfig(site, 'profile'), profile: { username: user.username, pk: user.pk } };
    const html = renderAppPage({
      title: `${user.username} • Threads`,
      config,
      main: profileMain(user.username),
      sjsBlocks: profileSjsBlocks(site, user.pk),
    });
    sendHtml(response, 200, html);
    return;
  }

  const postMatch = new RegExp(`^/@(${USERNAME_PATTERN})/post/(${CODE_PATTERN})/?$`).exec(path);
  if (postMatch) {
    const post = store.findPost(postMatch[2]!);
    if (!post || post.unavailable) {
      sendHtml(response, 404, renderNotFoundPage('Sorry, this post is unavailable.'));
      return;
    }
    const canonical = store.permalinkOf(post);
    if (canonical !== path) {
      redirect(response, canonical);
      return;
    }
    const parent = post.replyTo ? store.findPost(post.replyTo) : undefined;
    const items = parent ? [parent, post] : [post];
    const config: PageConfig = {
      ...pageConfig(site, 'post'),
      thread: {
        items: items.map((item) => store.toPostJson(item)),
        replies: store.repliesTo(post.code).map((reply) => store.toPostJson(reply)),
      },
    };
    const html = renderAppPage({
      title: `${store.userOf(post).username} on Threads`,
      config,
      main: postMain(),
    });
    sendHtml(response, 200, html);
    return;
  }

  sendHtml(response, 404, renderNotFoundPage("Sorry, this page isn't available."));
}

/**
 * Returns the profile's first page of threads in the server-rendered form, next to an unrelated block,
 * the way the real page embeds its preloaded queries.
 */
function profileSjsBlocks(site: Site, userPk: string): unknown[] {
  const result = profileThreadsPage(site.store, userPk, { first: 8, offset: 0 });
  const preloaderId = `adp_${PROFILE_THREADS_QUERY_NAME}RelayPreloader_${site.lsd}`;
  return [
    {
      require: [
        [
          'ScheduledServerJS',
          'handle',
          null,
          [{ __bbox: { define: [['LSD', [], { token: site.lsd }, 323]] } }],
        ],
      ],
    },
    {
      require: [
        [
          'ScheduledServerJS',
          'handle',
          null,
          [
            {
              __bbox: {
                require: [
                  [
                    'RelayPrefetchedStreamCache',
                    'next',
                    [],
                    [
                      preloaderId,
                      { __bbox: { complete: true, result: { data: result.data, extensions: {} } } },
                    ],
                  ],
                ],
              },
            },
          ],
        ],
      ],
    },
  ];
}

async function handleGraphql(site: Site, access: Access, request: IncomingMessage, response: ServerResponse) {
  const form = new URLSearchParams((await readBody(request, MAX_FORM_BODY_BYTES)).toString('utf8'));
  if (access === 'login') {
    // The real API responds to an expired session with HTTP 200 and an empty body.
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': 0 });
    response.end();
    return;
  }
  if (access === 'checkpoint') {
    sendJson(response, 200, {
      errors: [{ message: 'checkpoint_required', severity: 'CRITICAL' }],
      data: null,
    });
    return;
  }

  const friendlyName = request.headers['x-fb-friendly-name'];
  const answer = answerGraphql(site.store, site.docIds, {
    friendlyName:
      typeof friendlyName === 'string' ? friendlyName : (form.get('fb_api_req_friendly_name') ?? ''),
    docId: form.get('doc_id') ?? '',
    variables: form.get('variables') ?? '',
  });
  sendJson(response, 200, answer);
}

async function handleLogin(
  site: Site,
  method: string,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
) {
  if (method === 'GET' || method === 'HEAD') {
    sendHtml(response, 200, renderLoginPage(url.searchParams.get('next') ?? '/', null));
    return;
  }
  if (method !== 'POST') {
    sendJson(response, 405, { status: 'fail', message: `${method} is not allowed on /login` });
    return;
  }

  const form = new URLSearchParams((await readBody(request, MAX_FORM_BODY_BYTES)).toString('utf8'));
  const next = safeNextPath(form.get('next'));
  if (!form.get('username') || !form.get('password')) {
    sendHtml(response, 400, renderLoginPage(next, 'Enter your username and password.'));
    return;
  }
  const { name, value } = site.sessionCookie;
  redirect(response, next, { 'set-cookie': `${name}=${value}; Path=/; HttpOnly; SameSite=Lax` });
}

/** Keeps a login redirect on this site: only paths starting with one `/`. */
function safeNextPath(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

async function handleControl(
  site: Site,
  method: string,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const path = url.pathname;
  if (path === '/__site/state' && method === 'GET') {
    const state: SiteState = {
      username: site.store.viewer.username,
      posts: site.store.sitePosts,
      submits: site.store.submits,
      likes: site.store.likes,
      behaviour: site.behaviour,
    };
    sendJson(response, 200, state);
    return;
  }
  if (path === '/__site/behaviour' && method === 'POST') {
    const patch = validateBehaviourPatch(parseJson(await readBody(request, MAX_FORM_BODY_BYTES)));
    if (typeof patch === 'string') {
      sendJson(response, 400, { status: 'fail', message: patch });
      return;
    }
    Object.assign(site.behaviour, patch);
    sendJson(response, 200, site.behaviour);
    return;
  }
  if (path === '/__site/reset' && method === 'POST') {
    resetSite(site);
    sendJson(response, 200, site.behaviour);
    return;
  }
  if (path === '/__site/never-loads') {
    // The headers and a first chunk go out, the body never ends: close() destroys the socket.
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.write(NEVER_LOADS_HEAD);
    return;
  }
  if (path === '/__site/busy-loop') {
    sendHtml(response, 200, BUSY_LOOP_PAGE);
    return;
  }
  if (path === '/__site/redirect') {
    const target = url.searchParams.get('to');
    if (!target) {
      sendJson(response, 400, {
        status: 'fail',
        message: 'Missing query parameter "to": the URL to redirect to',
      });
      return;
    }
    redirect(response, target);
    return;
  }
  sendJson(response, 404, { status: 'fail', message: `No control endpoint ${method} ${path}` });
}

const BOOLEAN_SWITCHES = ['failSubmit', 'noToast', 'requireLogin', 'checkpoint', 'actionBlocked'] as const;

/** Checks a JSON patch of the behaviour, returning it or a message naming the invalid key. */
function validateBehaviourPatch(body: unknown): Partial<Behaviour> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'Body must be a JSON object of behaviour settings';
  }
  const patch: Partial<Behaviour> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'submitDelayMs') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return 'submitDelayMs must be a number of milliseconds, 0 or more';
      }
      patch.submitDelayMs = value;
    } else if ((BOOLEAN_SWITCHES as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') {
        return `${key} must be true or false`;
      }
      patch[key as (typeof BOOLEAN_SWITCHES)[number]] = value;
    } else {
      return `Unknown behaviour setting ${JSON.stringify(key)}`;
    }
  }
  return patch;
}
