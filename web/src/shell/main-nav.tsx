import type { Ability } from '@branchline/protocol';
import { NavLink } from 'react-router';
import { hasAnyAbility, useSession } from '../features/auth/session-context.ts';
import { unreadInMyChats } from '../features/chat/chat-selectors.ts';
import { useChatState } from '../features/chat/live-connection.ts';
import { PLACEHOLDERS } from '../features/placeholders/placeholders.ts';

/**
 * Abilities that mean someone administers something. Reading the staff directory is not one:
 * librarians have it for transfers, and there is nothing for them to manage in Admin.
 */
const ADMIN_NAV_ABILITIES: readonly Ability[] = [
  'library.update',
  'branch.create',
  'desk.create',
  'staff.create',
  'audit.read',
  'blocks.manage',
];

/** "Chat" with the chats ringing for this person and the patrons' messages they have not read, said in words too. */
function ChatLink() {
  const state = useChatState();
  const ringing = state.offers.length;
  const unread = unreadInMyChats(state, useSession().staff.id);
  return (
    <NavLink to="/chat">
      Chat
      {ringing > 0 ? (
        <span className="nav-badge">
          {ringing}
          <span className="visually-hidden"> {ringing === 1 ? 'chat waiting' : 'chats waiting'}</span>
        </span>
      ) : null}
      {unread > 0 ? (
        <span className="nav-badge nav-badge--unread">
          {unread}
          <span className="visually-hidden"> unread {unread === 1 ? 'message' : 'messages'}</span>
        </span>
      ) : null}
    </NavLink>
  );
}

/** The primary navigation; NavLink marks the current section with aria-current="page". */
export function MainNav() {
  const session = useSession();
  const showAdmin = hasAnyAbility(session, ADMIN_NAV_ABILITIES);
  // Partners take referrals, not chats: the queue and the inbox are not theirs.
  const answersChats = session.staff.role !== 'partner';
  return (
    <nav aria-label="Main" className="main-nav">
      <ul>
        <li>
          <NavLink to="/" end>
            Home
          </NavLink>
        </li>
        {answersChats ? (
          <>
            <li>
              <NavLink to="/inbox">Inbox</NavLink>
            </li>
            <li>
              <ChatLink />
            </li>
          </>
        ) : null}
        {PLACEHOLDERS.map((page) => (
          <li key={page.path}>
            <NavLink to={`/${page.path}`}>{page.title}</NavLink>
          </li>
        ))}
        {showAdmin ? (
          <li>
            <NavLink to="/admin">Admin</NavLink>
          </li>
        ) : null}
        <li>
          <NavLink to="/account">Account</NavLink>
        </li>
      </ul>
    </nav>
  );
}
