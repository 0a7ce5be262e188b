/** A run of message text: plain, or a link the view builds as an <a> element. */
export type TextPart = { text: string; href?: string };

const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const TRAILING = '.,;:!?\'"*)]}';

/**
 * Splits message text into plain runs and http(s)/mailto links. Only URLs the URL parser accepts
 * with one of those schemes become links; trailing punctuation stays outside the link, except a
 * closing parenthesis that balances one inside it (Wikipedia-style URLs).
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (href === null) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function trimUrl(raw: string): string {
  let url = raw;
  while (url.length > 0) {
    const last = url.charAt(url.length - 1);
    if (!TRAILING.includes(last)) break;
    // Keep a ")" that closes a "(" inside the URL.
    if (last === ')' && count(url, '(') >= count(url, ')')) break;
    url = url.slice(0, -1);
  }
  return url;
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    if (url.protocol === 'mailto:') return url.pathname.length > 0 ? url.href : null;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.hostname.length > 0 ? url.href : null;
  } catch {
    return null;
  }
}
