import { Navigate, Outlet, useLocation } from 'react-router';
import { useSessionQuery } from '../../api/session.ts';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { loginPathFor } from './return-path.ts';
import { SessionContext } from './session-context.ts';

/**
 * Guards the signed-in part of the dashboard. Without a session (or when any request answers
 * 401 later) it sends the person to sign in, keeping the path to return to.
 */
export function RequireSession() {
  const session = useSessionQuery();
  const location = useLocation();

  if (session.isPending) {
    return (
      <main id="main" className="centered-page">
        <Loading what="your session" />
      </main>
    );
  }
  if (session.data === null) {
    return <Navigate to={loginPathFor(`${location.pathname}${location.search}`)} replace />;
  }
  // A failed background refetch keeps the session we have; only a first load that failed stops here.
  if (session.data === undefined) {
    return (
      <main id="main" className="centered-page">
        <LoadError error={session.error} what="your session" />
        <button type="button" className="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  return (
    <SessionContext value={session.data}>
      <Outlet />
    </SessionContext>
  );
}
