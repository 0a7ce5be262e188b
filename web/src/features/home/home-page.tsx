import type { Desk } from '@branchline/protocol';
import { ApiError } from '../../api/client.ts';
import { useDesks } from '../../api/desks.ts';
import { useLibrary } from '../../api/libraries.ts';
import { DataTable, type Column } from '../../ui/data-table.tsx';
import { PageHeading } from '../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../ui/query-state.tsx';
import { deskModeName } from '../admin/desk-modes.ts';
import { useSession } from '../auth/session-context.ts';
import { TodayPanel } from './today-panel.tsx';

const DESK_COLUMNS: readonly Column<Desk>[] = [
  { key: 'name', header: 'Desk', cell: (desk) => desk.name, sortValue: (desk) => desk.name },
  { key: 'mode', header: 'Mode', cell: (desk) => deskModeName(desk.mode), sortValue: (desk) => desk.mode },
  {
    key: 'active',
    header: 'Active',
    cell: (desk) => (desk.isActive ? 'Yes' : 'No'),
    sortValue: (desk) => !desk.isActive,
  },
];

export function HomePage() {
  const session = useSession();
  const library = useLibrary(session.staff.libraryId);
  const desks = useDesks(session.staff.libraryId);
  const firstName = session.staff.displayName || session.staff.name;
  // Some roles (partners) may not see the desks; the panel is left out rather than shown as an error.
  const desksHidden = desks.error instanceof ApiError && desks.error.code === 'forbidden';

  return (
    <>
      <PageHeading title="Home">Welcome, {firstName}</PageHeading>
      <p className="lead">
        {library.data ? `This is the staff dashboard of ${library.data.name}.` : 'This is your staff dashboard.'}
      </p>
      <div className="panels">
        <TodayPanel />
        {desksHidden ? null : (
          <section className="panel" aria-labelledby="desks-heading">
            <h2 id="desks-heading">Desks</h2>
            {desks.isPending ? (
              <Loading what="desks" />
            ) : desks.isError ? (
              <LoadError error={desks.error} what="the desks" />
            ) : (
              <DataTable
                caption={`All desks (${desks.data.length})`}
                columns={DESK_COLUMNS}
                rows={desks.data}
                rowKey={(desk) => desk.id}
                initialSort={{ key: 'name', direction: 'ascending' }}
                empty="No desks yet. An administrator can add them under Admin, Desks."
              />
            )}
          </section>
        )}
      </div>
    </>
  );
}
