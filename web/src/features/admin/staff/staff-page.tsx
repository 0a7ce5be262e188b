import { useState } from 'react';
import { Link } from 'react-router';
import type { Staff, StaffRole } from '@branchline/protocol';
import { useLibrary } from '../../../api/libraries.ts';
import { useStaffList } from '../../../api/staff.ts';
import { TextField, SelectField } from '../../../ui/field.tsx';
import { FilterCount } from '../../../ui/filter-count.tsx';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useCan, useSession } from '../../auth/session-context.ts';
import { matchesFilter } from '../matches-filter.ts';
import { ROLE_OPTIONS } from './staff-roles.ts';
import { StaffTable } from './staff-table.tsx';

export function StaffPage() {
  const { libraryId } = useSession().staff;
  const library = useLibrary(libraryId);
  const staff = useStaffList();
  const canCreate = useCan('staff.create');
  const canEdit = useCan('staff.update');
  const [filter, setFilter] = useState('');
  const [role, setRole] = useState<StaffRole | ''>('');

  const all: Staff[] = staff.data ?? [];
  const shown = all.filter(
    (s) => (role === '' || s.role === role) && matchesFilter(filter, [s.name, s.displayName, s.email]),
  );
  return (
    <>
      <PageHeading>Staff</PageHeading>
      <p>Everyone who signs in to this dashboard for the library. People are never deleted, only deactivated.</p>
      {canCreate ? (
        <p>
          <Link to="/admin/staff/new" className="button button--primary">
            New staff member
          </Link>
        </p>
      ) : null}
      {staff.isPending ? (
        <Loading what="staff" />
      ) : staff.isError ? (
        <LoadError error={staff.error} what="the staff list" />
      ) : (
        <>
          <div className="filters">
            <TextField
              id="staff-filter"
              label="Filter staff"
              type="search"
              value={filter}
              hint="By name, display name or email."
              onChange={(e) => setFilter(e.target.value)}
            />
            <SelectField
              id="staff-role-filter"
              label="Role"
              value={role}
              onChange={(e) => setRole(e.target.value as StaffRole | '')}
            >
              <option value="">All roles</option>
              {ROLE_OPTIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </SelectField>
          </div>
          <FilterCount shown={shown.length} total={all.length} noun={['staff member', 'staff members']} />
          <StaffTable
            rows={shown}
            canEdit={canEdit}
            timeZone={library.data?.timeZone}
            empty={all.length === 0 ? 'No staff yet.' : 'Nobody matches the filters.'}
          />
        </>
      )}
    </>
  );
}
