import { Link } from 'react-router';
import type { Staff } from '@branchline/protocol';
import { DataTable, type Column } from '../../../ui/data-table.tsx';
import { DateTime } from '../../../ui/date-time.tsx';
import { roleName } from '../../auth/role-name.ts';

interface StaffTableProps {
  rows: readonly Staff[];
  canEdit: boolean;
  timeZone: string | undefined;
  empty: string;
}

export function StaffTable({ rows, canEdit, timeZone, empty }: StaffTableProps) {
  const columns: Column<Staff>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (s) => (canEdit ? <Link to={`/admin/staff/${s.id}`}>{s.name}</Link> : s.name),
      sortValue: (s) => s.name,
    },
    { key: 'displayName', header: 'Display name', cell: (s) => s.displayName, sortValue: (s) => s.displayName },
    { key: 'email', header: 'Email', cell: (s) => s.email, sortValue: (s) => s.email },
    { key: 'role', header: 'Role', cell: (s) => roleName(s.role), sortValue: (s) => roleName(s.role) },
    {
      key: 'languages',
      header: 'Languages',
      cell: (s) => s.languages.join(', '),
      sortValue: (s) => s.languages.join(','),
    },
    { key: 'active', header: 'Active', cell: (s) => (s.isActive ? 'Yes' : 'No'), sortValue: (s) => !s.isActive },
    {
      key: 'lastLoginAt',
      header: 'Last sign-in',
      cell: (s) => <DateTime iso={s.lastLoginAt} timeZone={timeZone} />,
      sortValue: (s) => s.lastLoginAt,
    },
  ];
  return (
    <DataTable
      caption="Staff members"
      columns={columns}
      rows={rows}
      rowKey={(s) => s.id}
      initialSort={{ key: 'name', direction: 'ascending' }}
      empty={empty}
    />
  );
}
