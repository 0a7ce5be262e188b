import { Navigate, NavLink, Outlet } from 'react-router';
import { PageHeading } from '../../ui/page-heading.tsx';
import { useSession } from '../auth/session-context.ts';
import { visibleAdminSections } from './admin-sections.ts';

/** The Admin area: a sub-navigation of the sections this person may manage, then the section. */
export function AdminLayout() {
  const sections = visibleAdminSections(useSession());
  if (sections.length === 0) {
    return (
      <>
        <PageHeading>Admin</PageHeading>
        <p>Your role does not include any administration. Ask an administrator if you need to change settings.</p>
      </>
    );
  }
  return (
    <div className="admin">
      <nav aria-label="Admin sections" className="sub-nav">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <NavLink to={`/admin/${section.path}`}>{section.title}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}

/** /admin on its own opens the first section this person may manage. */
export function AdminIndex() {
  const [first] = visibleAdminSections(useSession());
  return first ? <Navigate to={`/admin/${first.path}`} replace /> : null;
}
