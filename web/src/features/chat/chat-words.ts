import type { Conversation, ConversationStatus } from '@branchline/protocol';

export const STATUS_NAMES: Record<ConversationStatus, string> = {
  queued: 'Waiting',
  active: 'In progress',
  pending: 'Pending',
  resolved: 'Resolved',
  abandoned: 'Abandoned',
  missed: 'Missed',
};

export const ENDED_STATUSES: readonly ConversationStatus[] = ['resolved', 'abandoned', 'missed'];

export function isEnded(status: ConversationStatus): boolean {
  return ENDED_STATUSES.includes(status);
}

/** READ scale (Reference Effort Assessment Data): how much effort an answer took. */
export const READ_SCALE: readonly { value: string; label: string }[] = [
  { value: '1', label: '1 — Directional' },
  { value: '2', label: '2 — Quick answer' },
  { value: '3', label: '3 — Some searching' },
  { value: '4', label: '4 — Several sources' },
  { value: '5', label: '5 — Substantial research' },
  { value: '6', label: '6 — In-depth research' },
];

/** How staff call the patron: the name they gave, else their email, else "Patron". */
export function patronName(conversation: Pick<Conversation, 'patron'>): string {
  return conversation.patron.name || conversation.patron.email || 'Patron';
}

/**
 * " · in Spanish" for a patron who chats in a language other than the dashboard's English, so
 * staff see it before accepting; "" for English.
 */
export function languageNote(tag: string): string {
  const primary = tag.split('-')[0]?.toLowerCase() ?? '';
  return primary === '' || primary === 'en' ? '' : ` · in ${languageName(tag)}`;
}

/** "es" → "Spanish": in English, the dashboard's language, whatever the browser's. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames('en', { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** "books, holds, , Holds" → ["books", "holds"]: trimmed, without blanks or repeats. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

/** The server shortens offer previews to 280 characters; a card in the narrow queue pane shows about half. */
const PREVIEW_CHARS = 140;

/** A patron's first message for an offer card: on one line, cut at a word's end if long. */
export function previewText(text: string, max = PREVIEW_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
