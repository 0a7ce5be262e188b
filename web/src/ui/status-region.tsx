import { useCallback } from 'react';
import { useLocation, useNavigate } from 'react-router';

interface StatusState {
  status?: unknown;
}

function statusOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  const { status } = state as StatusState;
  return typeof status === 'string' ? status : null;
}

/**
 * The polite live region that says what just happened ("Branch saved"). The message travels in
 * the navigation state, so it belongs to the page it was shown on and leaves with it.
 */
export function StatusRegion() {
  const location = useLocation();
  const message = statusOf(location.state);
  return (
    <div className="status-region" role="status" aria-live="polite">
      {message ? (
        <p key={location.key} className="status-message">
          {message}
        </p>
      ) : null}
    </div>
  );
}

/** Returns `announce(message, to?)`: go to `to` (or stay) and show the message there. */
export function useAnnounce(): (message: string, to?: string) => void {
  const navigate = useNavigate();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  return useCallback(
    (message: string, to?: string) => {
      void navigate(to ?? here, { replace: to === undefined, state: { status: message } });
    },
    [navigate, here],
  );
}
