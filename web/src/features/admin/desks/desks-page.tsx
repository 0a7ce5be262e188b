import { useState } from 'react';
import { Link } from 'react-router';
import type { Desk } from '@branchline/protocol';
import { useDesks } from '../../../api/desks.ts';
import { DataTable, type Column } from '../../../ui/data-table.tsx';
import { TextField } from '../../../ui/field.tsx';
import { FilterCount } from '../../../ui/filter-count.tsx';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useCan, useSession } from '../../auth/session-context.ts';
import { deskModeName } from '../desk-modes.ts';
import { matchesFilter } from '../matches-filter.ts';

function columns(canEdit: boolean): Column<Desk>[] {
  return [
    {
      key: 'name',
      header: 'Name',
      cell: (desk) => (canEdit ? <Link to={`/admin/desks/${desk.id}`}>{desk.name}</Link> : desk.name),
      sortValue: (desk) => desk.name,
    },
    { key: 'slug', header: 'Slug', cell: (desk) => <code>{desk.slug}</code>, sortValue: (desk) => desk.slug },
    { key: 'mode', header: 'Mode', cell: (desk) => deskModeName(desk.mode), sortValue: (desk) => desk.mode },
    {
      key: 'active',
      header: 'Active',
      cell: (desk) => (desk.isActive ? 'Yes' : 'No'),
      sortValue: (desk) => !desk.isActive,
    },
  ];
}

export function DesksPage() {
  const { libraryId } = useSession().staff;
  const desks = useDesks(libraryId);
  const canCreate = useCan('desk.create');
  const canEdit = useCan('desk.update');
  const [filter, setFilter] = useState('');

  const all = desks.data ?? [];
  const shown = all.filter((d) => matchesFilter(filter, [d.name, d.slug, d.description]));
  return (
    <>
      <PageHeading>Desks</PageHeading>
      <p>
        Where patrons&rsquo; questions arrive, such as Ask a Librarian or Homework Help. Each desk has its own hours and
        decides how a chat reaches the staff on shift. Desks are never deleted, only made inactive.
      </p>
      {canCreate ? (
        <p>
          <Link to="/admin/desks/new" className="button button--primary">
            New desk
          </Link>
        </p>
      ) : null}
      {desks.isPending ? (
        <Loading what="desks" />
      ) : desks.isError ? (
        <LoadError error={desks.error} what="the desks" />
      ) : (
        <>
          <div className="filters">
            <TextField
              id="desk-filter"
              label="Filter desks"
              type="search"
              value={filter}
              hint="By name, slug or description."
              onChange={(e) => setFilter(e.target.value)}
            />
          </div>
          <FilterCount shown={shown.length} total={all.length} noun={['desk', 'desks']} />
          <DataTable
            caption="Desks"
            columns={columns(canEdit)}
            rows={shown}
            rowKey={(d) => d.id}
            initialSort={{ key: 'name', direction: 'ascending' }}
            empty={all.length === 0 ? 'No desks yet.' : 'No desk matches the filter.'}
          />
        </>
      )}
    </>
  );
}
