import type { StaffRole } from '@branchline/protocol';

export const ROLE_NAMES: Record<StaffRole, string> = {
  admin: 'Administrator',
  supervisor: 'Supervisor',
  librarian: 'Librarian',
  partner: 'Partner',
};

/** The role in words, as staff see it in the header and the staff list. */
export function roleName(role: StaffRole): string {
  return ROLE_NAMES[role];
}
