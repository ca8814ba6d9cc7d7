import { el, roleButton } from './dom.js';

/** How long a toast stays on screen, in milliseconds. */
const TOAST_DURATION_MS = 10_000;

/** Shows the "Posted" toast with a "View" link to the new post. */
export function showPostedToast(permalink: string): void {
  const area = document.querySelector('[data-toast-area]') ?? document.body;
  const toast = el(
    'div',
    { role: 'status', 'aria-live': 'polite', class: 'toast', 'data-toast': 'posted' },
    el('span', {}, 'Posted'),
    el('a', { href: permalink }, 'View'),
  );
  area.append(toast);
  setTimeout(() => toast.remove(), TOAST_DURATION_MS);
}

/** Shows the notice the real app shows when an account is blocked from an action. */
export function showBlockedNotice(title: string, message: string): void {
  document.querySelector('[data-blocked-notice]')?.remove();

  const okButton = roleButton({ class: 'pill' }, 'OK');
  const overlay = el(
    'div',
    { class: 'overlay', 'data-blocked-notice': '' },
    el(
      'div',
      {
        role: 'alertdialog',
        'aria-modal': 'true',
        'aria-labelledby': 'blocked-title',
        'aria-describedby': 'blocked-text',
      },
      el('h2', { id: 'blocked-title' }, title),
      el('p', { id: 'blocked-text' }, message),
      el('div', { class: 'dialog-footer' }, el('a', { href: '/help/report' }, 'Tell us'), okButton),
    ),
  );
  okButton.addEventListener('click', () => overlay.remove());
  document.body.append(overlay);
}
