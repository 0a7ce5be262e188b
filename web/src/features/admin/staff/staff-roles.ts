import type { StaffRole } from '@branchline/protocol';
import { ROLE_NAMES } from '../../auth/role-name.ts';

/** Every role, in the protocol's order; ROLE_NAMES is a Record, so the compiler checks none is missing. */
export const ROLE_OPTIONS: readonly { value: StaffRole; label: string }[] = (
  Object.entries(ROLE_NAMES) as [StaffRole, string][]
).map(([value, label]) => ({ value, label }));

export const ROLE_HINT =
  'Administrators manage the library, desks and staff. Supervisors look after desks and colleagues. ' +
  'Librarians answer patrons. Partners work for another organisation and handle what is referred to them.';
