/** A piece of message text: plain, or a link that is safe to open. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'"\]}>]+$/;
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** Sentence punctuation after a link is not part of it; a closing bracket is only when it closes one inside. */
function trimLink(candidate: string): string {
  let link = candidate.replace(TRAILING, '');
  while (link.endsWith(')') && (link.match(/\(/g)?.length ?? 0) < (link.match(/\)/g)?.length ?? 0)) {
    link = link.slice(0, -1).replace(TRAILING, '');
  }
  return link;
}

function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
    if (url.protocol !== 'mailto:' && !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/**
 * Splits message text into plain parts and http, https and mailto links. The caller builds
 * elements from the parts, so nothing in a message is ever parsed as HTML.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plainStart = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const link = trimLink(match[0]);
    const href = link.length > 'mailto:'.length ? safeHref(link) : null;
    if (!href) continue;
    if (start > plainStart) parts.push({ kind: 'text', text: text.slice(plainStart, start) });
    parts.push({ kind: 'link', text: link, href });
    plainStart = start + link.length;
  }
  if (plainStart < text.length) parts.push({ kind: 'text', text: text.slice(plainStart) });
  return parts;
}
