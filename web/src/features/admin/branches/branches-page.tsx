import { useState } from 'react';
import { Link } from 'react-router';
import type { Branch } from '@branchline/protocol';
import { useBranches } from '../../../api/branches.ts';
import { DataTable, type Column } from '../../../ui/data-table.tsx';
import { TextField } from '../../../ui/field.tsx';
import { FilterCount } from '../../../ui/filter-count.tsx';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useCan, useSession } from '../../auth/session-context.ts';
import { matchesFilter } from '../matches-filter.ts';

function columns(canEdit: boolean): Column<Branch>[] {
  return [
    {
      key: 'name',
      header: 'Name',
      cell: (branch) => (canEdit ? <Link to={`/admin/branches/${branch.id}`}>{branch.name}</Link> : branch.name),
      sortValue: (branch) => branch.name,
    },
    {
      key: 'address',
      header: 'Address',
      cell: (branch) => <span className="pre-line">{branch.address}</span>,
      sortValue: (branch) => branch.address,
    },
    {
      key: 'phone',
      header: 'Phone',
      cell: (branch) => <span className="nowrap">{branch.phone}</span>,
      sortValue: (branch) => branch.phone,
    },
    {
      key: 'active',
      header: 'Active',
      cell: (branch) => (branch.isActive ? 'Yes' : 'No'),
      sortValue: (branch) => !branch.isActive,
    },
  ];
}

export function BranchesPage() {
  const { libraryId } = useSession().staff;
  const branches = useBranches(libraryId);
  const canCreate = useCan('branch.create');
  const canEdit = useCan('branch.update');
  const [filter, setFilter] = useState('');

  const all = branches.data ?? [];
  const shown = all.filter((b) => matchesFilter(filter, [b.name, b.address, b.phone]));
  return (
    <>
      <PageHeading>Branches</PageHeading>
      <p>
        The library&rsquo;s buildings, with their addresses and opening hours. Branches are never deleted, only made
        inactive.
      </p>
      {canCreate ? (
        <p>
          <Link to="/admin/branches/new" className="button button--primary">
            New branch
          </Link>
        </p>
      ) : null}
      {branches.isPending ? (
        <Loading what="branches" />
      ) : branches.isError ? (
        <LoadError error={branches.error} what="the branches" />
      ) : (
        <>
          <div className="filters">
            <TextField
              id="branch-filter"
              label="Filter branches"
              type="search"
              value={filter}
              hint="By name, address or phone."
              onChange={(e) => setFilter(e.target.value)}
            />
          </div>
          <FilterCount shown={shown.length} total={all.length} noun={['branch', 'branches']} />
          <DataTable
            caption="Branches"
            columns={columns(canEdit)}
            rows={shown}
            rowKey={(b) => b.id}
            initialSort={{ key: 'name', direction: 'ascending' }}
            empty={all.length === 0 ? 'No branches yet.' : 'No branch matches the filter.'}
          />
        </>
      )}
    </>
  );
}
