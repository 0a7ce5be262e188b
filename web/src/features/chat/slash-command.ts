import type { CannedResponse } from '@branchline/protocol';

const SLASH = /^\/([a-z0-9-]*)$/i;
export const MAX_SUGGESTIONS = 6;

/** The shortcut being typed when the composer holds only "/" and a partial shortcut; null otherwise. */
export function slashQuery(text: string): string | null {
  const match = SLASH.exec(text);
  return match ? (match[1] ?? '').toLowerCase() : null;
}

/**
 * Canned responses matching a partial shortcut: shortcuts that start with it first, then those
 * whose shortcut or title contains it; alphabetical within each group.
 */
export function matchCanned(responses: readonly CannedResponse[], query: string): CannedResponse[] {
  const q = query.toLowerCase();
  const byShortcut = (a: CannedResponse, b: CannedResponse) => a.shortcut.localeCompare(b.shortcut);
  const starts = responses.filter((r) => r.shortcut.startsWith(q)).sort(byShortcut);
  const contains = responses
    .filter((r) => !r.shortcut.startsWith(q) && (r.shortcut.includes(q) || r.title.toLowerCase().includes(q)))
    .sort(byShortcut);
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
}
