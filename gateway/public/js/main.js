import { api, describeError, setUnauthorizedHandler } from './api.js';
import { BrowserPanel } from './browser-panel.js';
import { byId, h, setMessage, timeElement } from './dom.js';
import { DraftView } from './draft-view.js';
import { LiveConnection } from './live.js';
import { QueueView } from './queue.js';
import { applyJobEvent, drafts, removeDraft, subscribe, upsertDraft } from './state.js';

const MAX_ACTIVITY = 60;
const BACK_BANNER_MS = 10_000;

const signInView = byId('sign-in-view');
const dashboard = byId('dashboard');
const signInForm = /** @type {HTMLFormElement} */ (byId('sign-in-form'));
const signInToken = /** @type {HTMLInputElement} */ (byId('sign-in-token'));
const signInError = byId('sign-in-error');
const signOutButton = /** @type {HTMLButtonElement} */ (byId('sign-out'));
const banner = byId('connection-banner');
const liveState = byId('live-state');
const announcer = byId('announcer');
const activity = byId('activity-log');

let bannerTimer = null;

/** Reads a short text to screen readers through the polite status region. */
function announce(text) {
  announcer.textContent = '';
  // A new text node in a cleared region is what screen readers reliably read again.
  requestAnimationFrame(() => {
    announcer.textContent = text;
  });
}

function logActivity(text) {
  activity.prepend(h('li', {}, timeElement(new Date().toISOString()), ` ${text}`));
  while (activity.children.length > MAX_ACTIVITY) activity.lastElementChild?.remove();
}

const queue = new QueueView({ onSelect: (id, options) => select(id, options) });
const draftView = new DraftView({
  announce,
  onDeleted: (id) => {
    removeDraft(id);
    draftView.showGone();
    queue.focusItem(queue.neighbour(0) ?? '');
  },
});
const browserPanel = new BrowserPanel({ announce });

function select(id, { focus }) {
  queue.select(id);
  void draftView.open(id);
  if (focus) queue.focusItem(id);
}

subscribe((change) => {
  if (change.kind === 'reset' || change.kind === 'draft') queue.render();
  if (change.kind === 'draft' && change.id === draftView.draftId) {
    if (change.draft) draftView.update();
    else draftView.showGone();
  }
  if (change.kind === 'job' && change.job.draftId === draftView.draftId) draftView.update();
});

function shortId(id) {
  return typeof id === 'string' ? id.slice(-6) : '?';
}

/** Applies one live event to the page's state and notes it in the activity log. */
function handleEvent(type, data) {
  switch (type) {
    case 'draft.created':
      if (upsertDraft(data.draft)) {
        logActivity(`New draft …${shortId(data.draft.id)} from ${data.draft.createdBy}.`);
        announce('A new draft is waiting for review.');
      }
      break;
    case 'draft.updated':
      if (upsertDraft(data.draft) && data.previousStatus !== data.draft.status) {
        logActivity(`Draft …${shortId(data.draft.id)}: ${data.previousStatus} → ${data.draft.status}.`);
        if (data.draft.status === 'published') announce('A draft was published.');
        if (data.draft.status === 'failed') announce('Publishing a draft failed.');
      }
      break;
    case 'draft.deleted':
      if (drafts.has(data.draftId)) logActivity(`Draft …${shortId(data.draftId)} deleted.`);
      removeDraft(data.draftId);
      break;
    case 'job.progress': {
      applyJobEvent(type, data);
      if (data.artifact) browserPanel.showScreenshot(data.artifact, `${data.name} job, ${data.step}`);
      break;
    }
    case 'job.queued':
    case 'job.active':
    case 'job.completed':
    case 'job.failed': {
      applyJobEvent(type, data);
      const what = {
        'job.queued': 'queued',
        'job.active': 'started',
        'job.completed': 'completed',
        'job.failed': 'failed',
      }[type];
      logActivity(
        `${data.name} job …${shortId(data.jobId)} ${what}${type === 'job.failed' ? `: ${data.error}` : ''}.`,
      );
      break;
    }
    case 'browser.status':
      browserPanel.showStatus(data);
      break;
    case 'feed.updated':
      logActivity(`Feed read: ${data.count} posts.`);
      void browserPanel.loadFeed();
      break;
    default:
      break;
  }
}

/** Reloads everything from the REST API, after a `resync` or a reconnect with nothing to resume from. */
function reloadState() {
  logActivity('Reloaded the page state from the gateway.');
  void queue.load();
  if (draftView.draftId) void draftView.open(draftView.draftId);
  void browserPanel.loadStatus();
  void browserPanel.loadFeed();
}

function showLiveState(state) {
  clearTimeout(bannerTimer);
  liveState.dataset.state = state;
  if (state === 'connecting') {
    liveState.textContent = 'Live updates: connecting…';
    return;
  }
  if (state === 'open') {
    liveState.textContent = 'Live updates: on';
    banner.hidden = true;
    return;
  }
  if (state === 'disconnected') {
    liveState.textContent = 'Live updates: reconnecting…';
    banner.className = 'banner banner-warn';
    banner.textContent =
      'Disconnected from the gateway. Reconnecting; what happens meanwhile will show up here once it is back.';
    banner.hidden = false;
    logActivity('Disconnected from live updates.');
    return;
  }
  liveState.textContent = 'Live updates: on';
  banner.className = 'banner banner-ok';
  banner.textContent = 'Reconnected. The page caught up with what happened while it was disconnected.';
  banner.hidden = false;
  logActivity('Reconnected to live updates.');
  void browserPanel.loadStatus();
  bannerTimer = setTimeout(() => {
    banner.hidden = true;
  }, BACK_BANNER_MS);
}

/** False, after showing the sign-in form, when the session has ended; true otherwise, also while the gateway is down. */
async function checkSignedIn() {
  try {
    const session = await api('GET', '/api/auth/session');
    if (session?.signedIn) return true;
    showSignIn('Your session ended. Sign in again.');
    return false;
  } catch {
    return true;
  }
}

const live = new LiveConnection({
  onEvent: handleEvent,
  onResync: reloadState,
  onState: showLiveState,
  checkSignedIn,
});

function showDashboard() {
  signInView.hidden = true;
  dashboard.hidden = false;
  signOutButton.hidden = false;
  live.start();
  browserPanel.start();
  void queue.load().then(() => {
    const first = queue.neighbour(0);
    if (first && !draftView.draftId) select(first, { focus: false });
  });
}

function showSignIn(message = '') {
  live.stop();
  browserPanel.stop();
  dashboard.hidden = true;
  signOutButton.hidden = true;
  signInView.hidden = false;
  liveState.dataset.state = 'idle';
  liveState.textContent = 'Live updates: not connected';
  banner.hidden = true;
  setMessage(signInError, message);
  signInToken.focus();
}

setUnauthorizedHandler(() => {
  if (!signInView.hidden) return;
  showSignIn('Your session ended. Sign in again.');
});

async function signIn(token) {
  setMessage(signInError, '');
  try {
    await api('POST', '/api/auth/session', { json: { token }, quietUnauthorized: true });
    signInToken.value = '';
    showDashboard();
  } catch (error) {
    showSignIn(describeError(error, 'Signing in'));
  }
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = signInToken.value.trim();
  if (!token) {
    setMessage(signInError, 'Signing in failed: paste the approver token first.');
    signInToken.focus();
    return;
  }
  void signIn(token);
});

signOutButton.addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/auth/session', { quietUnauthorized: true });
    showSignIn('Signed out.');
  } catch (error) {
    showSignIn(describeError(error, 'Signing out'));
  }
});

/** True when a key press belongs to a text field or a control, not to the page's shortcuts. */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

document.addEventListener('keydown', (event) => {
  if (dashboard.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'Escape') {
    draftView.closeForms(true);
    return;
  }
  if (isTyping(event.target)) return;

  const moves = { j: 1, k: -1 };
  if (event.key in moves) {
    const id = queue.neighbour(moves[event.key]);
    if (id) select(id, { focus: true });
    event.preventDefault();
    return;
  }
  if (!draftView.draft) return;
  if (event.key === 'a') {
    event.preventDefault();
    void draftView.approve();
  } else if (event.key === 'r') {
    event.preventDefault();
    draftView.openForm('reject');
  } else if (event.key === 'e') {
    event.preventDefault();
    draftView.openForm('edit');
  }
});

/**
 * Signs in with `#token=…` from the gateway's start-up link and removes the token from the URL at
 * once. Returns false when the URL carries no token.
 */
async function signInFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token === null) return false;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  await signIn(token);
  return true;
}

async function start() {
  if (await signInFromFragment()) return;
  try {
    const session = await api('GET', '/api/auth/session');
    if (session?.signedIn) showDashboard();
    else showSignIn();
  } catch (error) {
    showSignIn(describeError(error, 'Checking the session'));
  }
}

// Opening the start-up link in a tab that already shows the dashboard changes only the fragment.
window.addEventListener('hashchange', () => void signInFromFragment());
void start();
