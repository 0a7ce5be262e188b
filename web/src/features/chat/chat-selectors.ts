import type { Conversation, Presence } from '@branchline/protocol';
import type { ChatState } from './chat-state.ts';
import { isEnded } from './chat-words.ts';

/** The person's chats in a stable order (oldest first): active ones, and ended ones until closed. */
export function myChats(state: ChatState, staffId: string): Conversation[] {
  return Object.values(state.conversations)
    .filter(
      (c) =>
        c.assigneeId === staffId &&
        c.channel === 'chat' &&
        c.closedAt === null &&
        !state.dismissed[c.id] &&
        (c.status === 'active' || isEnded(c.status)),
    )
    .sort((a, b) => (a.queuedAt ?? a.createdAt).localeCompare(b.queuedAt ?? b.createdAt) || a.id.localeCompare(b.id));
}

/** Most chats the console shows side by side. */
export const SIDE_BY_SIDE_MAX = 3;

/**
 * The chats shown side by side, in the order of "My chats": the open one (`selectedId`) always,
 * with the person's other chats up to `max`, those still going before those waiting for their
 * wrap-up. A chat open but no longer theirs comes first.
 */
export function sideBySideChats(
  chats: readonly Conversation[],
  selected: Conversation | undefined,
  max = SIDE_BY_SIDE_MAX,
): Conversation[] {
  const preferred = [...chats.filter((c) => !isEnded(c.status)), ...chats.filter((c) => isEnded(c.status))];
  if (selected && !chats.some((c) => c.id === selected.id)) return [selected, ...preferred.slice(0, max - 1)];
  let chosen = preferred.slice(0, max);
  if (selected && !chosen.some((c) => c.id === selected.id)) chosen = [...chosen.slice(0, max - 1), selected];
  // Shown in the order of My chats, whose numbers (Alt+1…9) they carry.
  return chats.filter((c) => chosen.some((s) => s.id === c.id));
}

/** Patron messages after the last one read (in this tab, or by staff before a reload: the conversation's `staffSeenSeq`). */
export function unreadCount(state: ChatState, conversationId: string): number {
  const readUpTo = state.readUpTo[conversationId] ?? 0;
  return (state.events[conversationId] ?? []).filter(
    (e) => e.seq > readUpTo && e.type === 'message' && e.author.kind === 'patron',
  ).length;
}

/** Patron messages not yet read in the person's chats still going: what the title and the nav count besides offers. */
export function unreadInMyChats(state: ChatState, staffId: string): number {
  return myChats(state, staffId)
    .filter((c) => c.status === 'active')
    .reduce((n, c) => n + unreadCount(state, c.id), 0);
}

/** Colleagues who could take the chat now: connected, available or away, with room for one more. */
export function transferCandidates(people: readonly Presence[], myStaffId: string): Presence[] {
  return people
    .filter((p) => p.staffId !== myStaffId && p.connected && p.status !== 'offline' && p.activeChats < p.maxChats)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** How many colleagues a chat sent back to a desk's queue would ring now: connected, available, serving it. */
export function deskAnswerers(people: readonly Presence[], deskId: string, myStaffId: string): number {
  return people.filter(
    (p) => p.staffId !== myStaffId && p.connected && p.status === 'available' && p.deskIds.includes(deskId),
  ).length;
}
