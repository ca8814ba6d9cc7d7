/**
 * Builds an element. Children that are strings become text nodes, so text from drafts, posts and
 * errors is never parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | boolean | number | null | undefined>} [attributes]
 * @param {...(Node | string | null | undefined | false | Array<Node | string>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = String(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** @param {string} id @returns {HTMLElement} */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element;
}

/** Returns the URL when it is http or https, so a `javascript:` URL never becomes a link. */
export function safeHttpUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Builds a link that opens outside the dashboard without sending a referrer. */
export function externalLink(url, text) {
  const href = safeHttpUrl(url);
  if (!href) return h('span', {}, text ?? String(url));
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text ?? href);
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnlyFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/**
 * Builds a `<time>` element for an ISO date, shown in the browser's time zone. With `timeOnly`
 * it shows the time of day and keeps the full date in its tooltip.
 */
export function timeElement(iso, { timeOnly = false } = {}) {
  if (!iso) return h('span', {}, '—');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', {}, String(iso));
  const format = timeOnly ? timeOnlyFormat : dateTimeFormat;
  return h('time', { datetime: date.toISOString(), title: dateTimeFormat.format(date) }, format.format(date));
}

/** Sets an element's text, and hides it while the text is empty. */
export function setMessage(element, text) {
  element.textContent = text ?? '';
  element.hidden = !text;
}
