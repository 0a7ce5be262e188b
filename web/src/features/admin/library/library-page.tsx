import { useLibrary } from '../../../api/libraries.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { LibraryForm } from './library-form.tsx';

export function LibraryPage() {
  const session = useSession();
  const library = useLibrary(session.staff.libraryId);
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
    </RequireAbility>
  );
}
