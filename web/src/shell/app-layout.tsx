import { Outlet } from 'react-router';
import { StatusRegion } from '../ui/status-region.tsx';
import { MainNav } from './main-nav.tsx';
import { SiteHeader } from './site-header.tsx';
import { SkipLink } from './skip-link.tsx';

/** The frame of the signed-in dashboard: skip link, header, main navigation and the page. */
export function AppLayout() {
  return (
    <>
      <SkipLink />
      <SiteHeader />
      <div className="app-body">
        <MainNav />
        <main id="main" tabIndex={-1} className="app-main">
          <StatusRegion />
          <Outlet />
        </main>
      </div>
    </>
  );
}
