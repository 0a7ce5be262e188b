import type { Ability } from '@branchline/protocol';
import type { Actor, StaffActor } from '../../platform/actor.ts';
import { errors } from '../../platform/errors.ts';

/**
 * Who may read a library's audit log: its administrators and supervisors, who answer for what
 * staff do with patrons' conversations and accounts. Nobody reads another library's log.
 */
const READERS: readonly StaffActor['role'][] = ['admin', 'supervisor'];

export function canReadAudit(actor: Actor): boolean {
  return actor.kind === 'staff' && READERS.includes(actor.role);
}

export function authorizeAuditRead(actor: Actor): asserts actor is StaffActor {
  if (actor.kind === 'anonymous') throw errors.unauthenticated();
  if (!canReadAudit(actor)) throw errors.forbidden();
}

export function auditAbilities(actor: Actor): Ability[] {
  return canReadAudit(actor) ? ['audit.read'] : [];
}
