import type { PageConfig } from './post-json.js';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Serializes a value for a `<script type="application/json">` block, which must not contain `</script`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: #101010; background: #fafafa; }
  .layout { display: flex; min-height: 100vh; }
  nav { width: 76px; display: flex; flex-direction: column; align-items: center; gap: 18px; padding: 20px 0; border-right: 1px solid #e5e5e5; }
  nav a, nav [role=button] { color: inherit; text-decoration: none; cursor: pointer; font-size: 12px; }
  main { flex: 1; max-width: 640px; margin: 0 auto; padding: 16px; background: #fff; min-height: 100vh; }
  .composer-row { display: flex; align-items: center; gap: 12px; padding: 12px 0; border-bottom: 1px solid #eee; }
  .composer-row .prompt { flex: 1; color: #999; cursor: text; }
  [role=button] { cursor: pointer; user-select: none; }
  [role=button][aria-disabled=true] { opacity: .4; cursor: default; }
  .pill { border: 1px solid #ccc; border-radius: 10px; padding: 6px 16px; font-weight: 600; }
  .avatar { border-radius: 50%; }
  [data-pressable-container] { padding: 12px 0; border-bottom: 1px solid #eee; }
  .post-head { display: flex; gap: 8px; align-items: baseline; }
  .post-head a { color: inherit; font-weight: 600; text-decoration: none; }
  .post-head time { color: #999; font-weight: 400; }
  .caption { white-space: pre-wrap; margin: 4px 0; }
  .media { display: flex; gap: 6px; overflow-x: auto; }
  .media img, .media video { max-height: 240px; border-radius: 8px; background: #eee; }
  .quoted { border: 1px solid #ddd; border-radius: 12px; padding: 8px 12px; margin: 6px 0; }
  .actions { display: flex; gap: 18px; margin-top: 6px; color: #555; }
  .actions [aria-pressed=true] { color: #ff3040; }
  .tombstone { color: #777; }
  .overlay { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: flex; align-items: flex-start; justify-content: center; padding-top: 10vh; }
  [role=dialog], [role=alertdialog] { background: #fff; border-radius: 16px; width: min(620px, 94vw); padding: 16px; }
  .dialog-header { display: flex; justify-content: space-between; align-items: center; }
  .editor { min-height: 60px; outline: none; white-space: pre-wrap; }
  .editor-wrap { position: relative; }
  .placeholder { position: absolute; top: 0; left: 0; color: #aaa; pointer-events: none; }
  .previews { display: flex; gap: 6px; }
  .previews img, .previews video { max-height: 120px; border-radius: 8px; }
  .dialog-footer { display: flex; justify-content: space-between; align-items: center; margin-top: 12px; }
  .error { color: #d00; }
  .toast-area { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; }
  .toast { background: #101010; color: #fff; padding: 10px 16px; border-radius: 10px; display: flex; gap: 16px; }
  .toast a { color: #fff; font-weight: 600; }
  form.login { display: flex; flex-direction: column; gap: 10px; max-width: 340px; margin: 15vh auto; }
`;

function documentShell(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>`;
}

export interface AppPageInput {
  title: string;
  config: PageConfig;
  main: string;
  /** Values embedded as `<script type="application/json" data-sjs>` blocks, in order. */
  sjsBlocks?: unknown[];
}

/** Renders a page of the logged-in app: navigation, main column and the page script. */
export function renderAppPage(input: AppPageInput): string {
  const username = escapeHtml(input.config.viewer.username);
  const sjs = (input.sjsBlocks ?? [])
    .map((block) => `<script type="application/json" data-sjs>${jsonForScript(block)}</script>`)
    .join('\n');

  const body = `<div class="layout">
<nav aria-label="Primary">
  <a href="/" aria-label="Home">Home</a>
  <div role="button" tabindex="0" aria-label="Create" data-open-composer>Create</div>
  <a href="/@${username}" aria-label="Profile">Profile</a>
</nav>
<main>
${input.main}
</main>
</div>
<div class="toast-area" data-toast-area></div>
<script type="application/json" id="site-config">${jsonForScript(input.config)}</script>
${sjs}
<script type="module" src="/static/app.js"></script>`;
  return documentShell(input.title, body);
}

/** Main column of the home page: the composer prompt row, then the feed. */
export function homeMain(username: string): string {
  const name = escapeHtml(username);
  return `<div class="composer-row">
  <a href="/@${name}"><img class="avatar" src="/media/avatar/${encodeURIComponent(username)}.png" alt="" width="36" height="36"></a>
  <div role="button" tabindex="0" class="prompt" data-open-composer>What's new?</div>
  <div role="button" tabindex="0" class="pill" data-open-composer>Post</div>
</div>
<div data-feed aria-busy="true"></div>
<div data-feed-end></div>`;
}

export function profileMain(username: string): string {
  const name = escapeHtml(username);
  return `<header class="profile-header">
  <h1>${name}</h1>
  <img class="avatar" src="/media/avatar/${encodeURIComponent(username)}.png" alt="${name}'s profile picture" width="84" height="84">
</header>
<div role="tablist" aria-label="Profile tabs">
  <a role="tab" aria-selected="true" href="/@${name}">Threads</a>
</div>
<div data-feed aria-busy="true"></div>
<div data-feed-end></div>`;
}

export function postMain(): string {
  return `<div data-thread></div>
<h2>Replies</h2>
<div data-replies></div>`;
}

export function renderLoginPage(next: string, error: string | null): string {
  const message = error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : '';
  return documentShell(
    'Log in • Threads',
    `<form class="login" method="post" action="/login">
  <h1>Log in with your Instagram account</h1>
  ${message}
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <input name="username" autocomplete="username" aria-label="Username, phone or email" placeholder="Username, phone or email">
  <input name="password" type="password" autocomplete="current-password" aria-label="Password" placeholder="Password">
  <button type="submit">Log in</button>
</form>`,
  );
}

export function renderChallengePage(): string {
  return documentShell(
    'Confirm it’s you • Threads',
    `<main data-checkpoint>
  <h1>Confirm it’s you</h1>
  <p>We noticed unusual activity on your account. To keep using Threads, confirm your identity.</p>
  <div role="button" tabindex="0" class="pill">Continue</div>
</main>`,
  );
}

export function renderNotFoundPage(message: string): string {
  return documentShell(
    'Page not found • Threads',
    `<main data-not-found>
  <h1>${escapeHtml(message)}</h1>
  <p>The link may be broken, or the post may have been removed.</p>
  <a href="/">Back to Threads</a>
</main>`,
  );
}

/** The first bytes of `/__site/never-loads`: the rest never arrives. */
export const NEVER_LOADS_HEAD =
  '<!doctype html>\n<html lang="en">\n<head><title>Loading</title></head>\n<body>\n<p>Loading';

export const BUSY_LOOP_PAGE = documentShell(
  'Busy',
  `<p>This page's script never returns.</p>
<script>for (;;) {}</script>`,
);
