import { Link } from 'react-router';
import { useLibrary } from '../../../api/libraries.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useCan, useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { LibraryForm } from './library-form.tsx';

export function LibraryPage() {
  const session = useSession();
  const library = useLibrary(session.staff.libraryId);
  const canCreate = useCan('library.create');
  return (
    <RequireAbility anyOf={['library.update']} title="Library settings">
      <PageHeading>Library settings</PageHeading>
      <p>The name, address on the web, time zone and contact details patrons see.</p>
      {library.isPending ? (
        <Loading what="the library" />
      ) : library.isError ? (
        <LoadError error={library.error} what="the library" />
      ) : (
        <LibraryForm key={library.data.id} library={library.data} />
      )}
      {canCreate ? (
        <section aria-labelledby="another-library-heading" className="another-library">
          <h2 id="another-library-heading">Another library</h2>
          <p>
            For a cooperative: a separate library in this Branchline, with its own branches, desks, staff and
            administrator.
          </p>
          <p>
            <Link to="/admin/library/new" className="button">
              New library
            </Link>
          </p>
        </section>
      ) : null}
    </RequireAbility>
  );
}
