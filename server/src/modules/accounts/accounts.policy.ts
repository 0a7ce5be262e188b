import type { Ability } from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import { errors } from '../../platform/errors.ts';

export type StaffAction = 'staff.read' | 'staff.create' | 'staff.update';

interface StaffResource {
  id: string;
  library_id: string;
}

/**
 * Who may see and manage staff accounts. Admins manage their library's staff; supervisors and
 * librarians see the directory (for transfers and scheduling); partners see only themselves.
 * The system actor (start-up, CLI) may do anything.
 */
export function canOnStaff(actor: Actor, action: StaffAction, staff?: StaffResource): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'staff') return false;
  if (staff !== undefined && staff.library_id !== actor.libraryId) return false;
  switch (action) {
    case 'staff.read':
      return actor.role !== 'partner' || staff?.id === actor.staffId;
    case 'staff.create':
    case 'staff.update':
      return actor.role === 'admin';
  }
}

export function authorizeOnStaff(actor: Actor, action: StaffAction, staff?: StaffResource): void {
  if (actor.kind === 'anonymous') throw errors.unauthenticated();
  // Staff of another library are answered as absent, so ids cannot be probed.
  if (staff !== undefined && actor.kind === 'staff' && staff.library_id !== actor.libraryId) {
    throw errors.notFound('staff member');
  }
  if (!canOnStaff(actor, action, staff)) {
    if (action === 'staff.read' && staff !== undefined) throw errors.notFound('staff member');
    throw errors.forbidden();
  }
}

export function staffAbilities(actor: Actor): Ability[] {
  // Asked without a record, 'staff.read' means the directory, which partners do not get.
  const listed: StaffAction[] = ['staff.read', 'staff.create', 'staff.update'];
  return listed.filter((a) => canOnStaff(actor, a));
}
