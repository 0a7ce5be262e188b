import { useSession } from '../features/auth/session-context.ts';
import { useLiveConnection } from '../features/chat/live-connection.ts';
import { PresenceControls } from '../features/chat/presence-controls.tsx';

/**
 * PresenceSlot: the signed-in person's presence (available, away, offline), the desks they are
 * serving and their open chats, always visible in the header. It also keeps the tab's live
 * connection open. Partners serve no desks and see nothing here.
 */
export function PresenceSlot() {
  const isPartner = useSession().staff.role === 'partner';
  useLiveConnection(!isPartner);
  return (
    <div className="site-header__presence" data-slot="presence-and-desks">
      {isPartner ? null : <PresenceControls />}
    </div>
  );
}
