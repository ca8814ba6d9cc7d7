/*
 * Counts text the way the gateway validates drafts: grapheme clusters with Intl.Segmenter, and
 * links with the same pattern as `countLinks` in shared/drafts.ts. Keep the two in step.
 */

export const MAX_CHARACTERS = 500;
export const MAX_LINKS = 5;
/** Counts from which the page warns that a draft is close to a limit. */
export const WARN_CHARACTERS = 450;
export const WARN_LINKS = 4;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const linkPattern =
  /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:\/[^\s<>"]*)?/gi;

export function countCharacters(text) {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

export function countLinks(text) {
  return text.match(linkPattern)?.length ?? 0;
}

/**
 * Measures a text and how close each count is to its limit.
 * @returns {{ characters: number, links: number, level: 'ok' | 'warn' | 'over', message: string }}
 */
export function measureText(text) {
  const characters = countCharacters(text);
  const links = countLinks(text);
  let level = 'ok';
  if (characters >= WARN_CHARACTERS || links >= WARN_LINKS) level = 'warn';
  if (characters > MAX_CHARACTERS || links > MAX_LINKS) level = 'over';

  const parts = [`${characters} / ${MAX_CHARACTERS} characters`, `${links} / ${MAX_LINKS} links`];
  let message = parts.join(' · ');
  if (level === 'warn') message += ' · close to the limit';
  if (level === 'over') message += ' · over the limit: Threads will not accept this';
  return { characters, links, level, message };
}
