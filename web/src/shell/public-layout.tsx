import { Outlet } from 'react-router';
import { StatusRegion } from '../ui/status-region.tsx';
import { SkipLink } from './skip-link.tsx';

/** The frame of the pages seen before signing in: sign in, forgotten and new password. */
export function PublicLayout() {
  return (
    <>
      <SkipLink />
      <header className="site-header site-header--public">
        <p className="brand">
          Branchline <span className="brand__sub">staff</span>
        </p>
      </header>
      <main id="main" tabIndex={-1} className="public-main">
        <StatusRegion />
        <Outlet />
      </main>
    </>
  );
}
