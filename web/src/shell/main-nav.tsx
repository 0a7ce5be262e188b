import { NavLink } from 'react-router';
import { ADMIN_ABILITIES, hasAnyAbility, useSession } from '../features/auth/session-context.ts';
import { PLACEHOLDERS } from '../features/placeholders/placeholders.ts';

/** The primary navigation; NavLink marks the current section with aria-current="page". */
export function MainNav() {
  const session = useSession();
  const showAdmin = hasAnyAbility(session, ADMIN_ABILITIES);
  return (
    <nav aria-label="Main" className="main-nav">
      <ul>
        <li>
          <NavLink to="/" end>
            Home
          </NavLink>
        </li>
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
