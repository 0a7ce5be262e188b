import { useLibrary } from '../../api/libraries.ts';
import { DateTime } from '../../ui/date-time.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { roleName } from '../auth/role-name.ts';
import { useSession } from '../auth/session-context.ts';
import { ChangePasswordForm } from './change-password-form.tsx';

export function AccountPage() {
  const { staff, expiresAt } = useSession();
  const library = useLibrary(staff.libraryId);
  const timeZone = library.data?.timeZone;
  return (
    <>
      <PageHeading>Your account</PageHeading>
      <section className="panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="summary-list">
          <dt>Name</dt>
          <dd>{staff.name}</dd>
          <dt>Display name</dt>
          <dd>
            {staff.displayName || staff.name} <span className="muted">(shown to patrons)</span>
          </dd>
          <dt>Email</dt>
          <dd>{staff.email}</dd>
          <dt>Role</dt>
          <dd>{roleName(staff.role)}</dd>
          <dt>Languages</dt>
          <dd>{staff.languages.length > 0 ? staff.languages.join(', ') : 'None listed'}</dd>
          <dt>Library</dt>
          <dd>{library.data?.name ?? '…'}</dd>
          <dt>Last sign-in</dt>
          <dd>
            <DateTime iso={staff.lastLoginAt} timeZone={timeZone} />
          </dd>
          <dt>This session ends</dt>
          <dd>
            <DateTime iso={expiresAt} timeZone={timeZone} />
          </dd>
        </dl>
        <p className="field__hint">An administrator can change your name, email and languages under Admin, Staff.</p>
      </section>
      <section className="panel">
        <ChangePasswordForm email={staff.email} />
      </section>
    </>
  );
}
