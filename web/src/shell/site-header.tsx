import { useState } from 'react';
import { useLibrary } from '../api/libraries.ts';
import { useLogout } from '../api/session.ts';
import { roleName } from '../features/auth/role-name.ts';
import { useSession } from '../features/auth/session-context.ts';
import { IncomingWork } from '../features/chat/incoming-work.tsx';
import { PresenceSlot } from './presence-slot.tsx';

/**
 * The header of the signed-in dashboard: product, library, presence slot, who is signed in, and
 * (for everyone who answers chats) the quiet signals of incoming work.
 */
export function SiteHeader() {
  const session = useSession();
  const library = useLibrary(session.staff.libraryId);
  const logout = useLogout();
  const [isSigningOut, setIsSigningOut] = useState(false);

  async function signOut() {
    setIsSigningOut(true);
    // Whatever the server answers, leave with a full page load: nothing of this session stays in memory.
    await logout.mutateAsync().catch(() => undefined);
    window.location.replace(`${import.meta.env.BASE_URL}login?signed-out=1`);
  }

  return (
    <header className="site-header">
      <p className="brand">
        Branchline <span className="brand__sub">staff</span>
      </p>
      {library.data ? <p className="site-header__library">{library.data.name}</p> : null}
      <PresenceSlot />
      {session.staff.role === 'partner' ? null : <IncomingWork />}
      <div className="site-header__account">
        <p className="site-header__who">
          <span className="site-header__name">{session.staff.displayName || session.staff.name}</span>
          <span className="visually-hidden">, </span>
          <span className="site-header__role">{roleName(session.staff.role)}</span>
        </p>
        <button type="button" className="button" onClick={() => void signOut()} disabled={isSigningOut}>
          {isSigningOut ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </header>
  );
}
