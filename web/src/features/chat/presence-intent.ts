import { useEffect, useRef } from 'react';
import type { PresenceStatus, SetPresenceBody } from '@branchline/protocol';
import type { ChatState } from './chat-state.ts';

const KEY = 'branchline.presence.intent';
/** A presence the server reports as offline this soon after (re)connecting is the reload's doing. */
const RESTORE_WINDOW_MS = 5_000;

/** Remembers, for this tab and this person only, the presence they chose. */
export function rememberPresence(staffId: string, body: SetPresenceBody): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ...body, staffId }));
  } catch {
    // No storage: a reload will leave the person offline, as the server says.
  }
}

function recalled(staffId: string): SetPresenceBody | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const stored = value as { status?: unknown; deskIds?: unknown; staffId?: unknown };
    const { status, deskIds } = stored;
    // Someone else signed in to this tab since: their choice is not this person's.
    if (stored.staffId !== staffId || (status !== 'available' && status !== 'away')) return null;
    const ids = Array.isArray(deskIds) ? deskIds.filter((id): id is string => typeof id === 'string') : [];
    return { status: status as PresenceStatus, deskIds: ids };
  } catch {
    return null;
  }
}

/**
 * The server marks a person offline when their last tab disconnects, which a reload or a network
 * blip does for a moment. Right after this tab (re)connects, it puts back what the person chose in
 * this tab. A choice made later elsewhere (another tab going offline) is left alone.
 */
export function useRestorePresence(staffId: string, state: ChatState, restore: (body: SetPresenceBody) => void): void {
  const greetedAt = useRef<number | null>(null);
  const { isGreeted, presence } = state;
  useEffect(() => {
    if (!isGreeted) {
      greetedAt.current = null;
      return;
    }
    greetedAt.current ??= Date.now();
    if (presence?.status !== 'offline' || Date.now() - greetedAt.current > RESTORE_WINDOW_MS) return;
    const intent = recalled(staffId);
    if (!intent) return;
    greetedAt.current = 0; // once per connection
    restore({ status: intent.status, deskIds: presence.deskIds.length > 0 ? presence.deskIds : intent.deskIds });
  }, [staffId, isGreeted, presence, restore]);
}
