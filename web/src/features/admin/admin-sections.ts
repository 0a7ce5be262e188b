import type { Ability, SessionInfo } from '@branchline/protocol';
import { hasAnyAbility } from '../auth/session-context.ts';

/** The tabs of the Admin area and the abilities that show each one. */
export const ADMIN_SECTIONS: readonly { path: string; title: string; abilities: readonly Ability[] }[] = [
  { path: 'library', title: 'Library', abilities: ['library.update'] },
  { path: 'branches', title: 'Branches', abilities: ['branch.create', 'branch.update'] },
  { path: 'desks', title: 'Desks', abilities: ['desk.create', 'desk.update'] },
  { path: 'staff', title: 'Staff', abilities: ['staff.read'] },
  { path: 'blocks', title: 'Blocked patrons', abilities: ['blocks.manage'] },
  { path: 'audit', title: 'Audit log', abilities: ['audit.read'] },
];

export function visibleAdminSections(session: SessionInfo) {
  return ADMIN_SECTIONS.filter((section) => hasAnyAbility(session, section.abilities));
}
