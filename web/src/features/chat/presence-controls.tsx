import { useCallback, useState } from 'react';
import type { PresenceStatus, SetPresenceBody } from '@branchline/protocol';
import { useDesks } from '../../api/desks.ts';
import { useSetPresence } from '../../api/presence.ts';
import { useSession } from '../auth/session-context.ts';
import type { LinkState } from './chat-state.ts';
import { DeskPicker } from './desk-picker.tsx';
import { staffConnection, useChatState } from './live-connection.ts';
import { rememberPresence, useRestorePresence } from './presence-intent.ts';

const STATUS_NAMES: Record<PresenceStatus, string> = { available: 'Available', away: 'Away', offline: 'Offline' };
const STATUSES = Object.keys(STATUS_NAMES) as PresenceStatus[];

const LINK_WORDS: Record<LinkState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Connection lost — reconnecting…',
};

/** The header's presence: status in words, the desks served, and chats open against the limit. */
export function PresenceControls() {
  const session = useSession();
  const state = useChatState();
  const desks = useDesks(session.staff.libraryId);
  const save = useSetPresence((presence) => staffConnection.putPresence(presence));
  const { mutate } = save;
  const presence = state.presence;
  useRestorePresence(
    session.staff.id,
    state,
    useCallback((body: SetPresenceBody) => mutate(body), [mutate]),
  );
  const activeDesks = (desks.data ?? []).filter((d) => d.isActive);
  // While a change is on its way, show it (optimistically) from the moment it is made, so a
  // checkbox never flicks back before the save starts; an error puts back what the server says.
  const [sending, setSending] = useState<SetPresenceBody>();
  const shown = sending ?? (save.isPending ? save.variables : presence);
  const deskIds = shown?.deskIds ?? [];
  const status = shown?.status ?? 'offline';

  function change(next: { status?: PresenceStatus; deskIds?: string[] }) {
    const body = { status: next.status ?? status, deskIds: next.deskIds ?? deskIds };
    rememberPresence(session.staff.id, body);
    setSending(body);
    // Only the latest change's callback runs, so a quicker second change is not undone.
    mutate(body, { onSettled: () => setSending(undefined) });
  }

  return (
    <div className="presence" role="group" aria-label="Your presence">
      <p className={`presence__link presence__link--${state.link}`}>
        <span className="presence__dot" aria-hidden="true" />
        {LINK_WORDS[state.link]}
      </p>
      <div className="presence__status">
        <label htmlFor="presence-status">Status</label>
        <span className={`status-dot status-dot--${status}`} aria-hidden="true" />
        <select
          id="presence-status"
          value={status}
          disabled={!presence}
          onChange={(event) => change({ status: event.target.value as PresenceStatus })}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_NAMES[s]}
            </option>
          ))}
        </select>
      </div>
      <DeskPicker
        desks={activeDesks}
        selected={deskIds}
        disabled={!presence}
        onChange={(ids) => change({ deskIds: ids })}
      />
      {presence ? (
        <p className="presence__load">
          Chats open: {presence.activeChats} of {presence.maxChats}
        </p>
      ) : null}
      {presence && status === 'available' && deskIds.length === 0 ? (
        <p className="presence__hint">Choose a desk to receive chats.</p>
      ) : null}
      {save.isError ? (
        <p role="alert" className="presence__error">
          Could not change your presence: {save.error.message}
        </p>
      ) : null}
    </div>
  );
}
