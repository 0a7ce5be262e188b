import type { AuditAction, AuditEntry, StaffRole } from '@branchline/protocol';
import { ROLE_NAMES } from '../../auth/role-name.ts';
import { formatDuration } from '../../chat/duration.ts';

/** Each action as the log says it, in the past tense. Keyed by every action, so none is missed. */
export const ACTION_NAMES: Record<AuditAction, string> = {
  'library.created': 'Created a library',
  'library.updated': 'Changed library settings',
  'branch.created': 'Added a branch',
  'branch.updated': 'Changed a branch',
  'desk.created': 'Added a desk',
  'desk.updated': 'Changed a desk',
  'staff.created': 'Added a staff member',
  'staff.updated': 'Changed a staff account',
  'staff.deactivated': 'Deactivated a staff account',
  'staff.password_set': 'Set a password',
  'staff.password_changed': 'Changed their own password',
  'staff.password_reset': 'Chose a new password from an emailed link',
  'staff.signed_in': 'Signed in',
  'staff.sign_in_refused': 'Sign-in refused',
  'conversation.viewed': 'Read a transcript',
  'patron.blocked': 'Blocked a patron',
  'patron.unblocked': 'Lifted a block',
  'transcripts.purged': 'Deleted expired transcripts',
};

export const ACTIONS = Object.keys(ACTION_NAMES) as AuditAction[];

/** Who acted, in words. */
export function actorName(actor: AuditEntry['actor']): string {
  switch (actor.kind) {
    case 'staff':
      return actor.displayName ?? 'A former staff member';
    case 'system':
      return 'Branchline (automatic)';
    case 'anonymous':
      return 'Someone not signed in';
  }
}

/** "ringTimeoutSeconds" → "ring timeout seconds". */
function fieldName(field: string): string {
  return field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

const isRole = (value: unknown): value is StaffRole => typeof value === 'string' && Object.hasOwn(ROLE_NAMES, value);
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What changed, in a line of words; empty when the entry says nothing more than its action. */
export function detailText(entry: AuditEntry): string {
  const d = entry.details;
  const parts: string[] = [];
  const fields = Array.isArray(d['fields']) ? d['fields'].filter((f): f is string => typeof f === 'string') : [];
  if (fields.length > 0) parts.push(`Changed: ${fields.map(fieldName).join(', ')}`);
  if (isRole(d['role']))
    parts.push(
      isRole(d['previousRole'])
        ? `Role: ${ROLE_NAMES[d['previousRole']]} → ${ROLE_NAMES[d['role']]}`
        : `Role: ${ROLE_NAMES[d['role']]}`,
    );
  const scope = d['scope'] === 'network' ? 'network address' : d['scope'] === 'browser' ? 'browser' : undefined;
  if (typeof d['minutes'] === 'number')
    parts.push(`For ${formatDuration(d['minutes'] * 60)}, by ${scope ?? 'browser'}`);
  else if (scope) parts.push(`By ${scope}`);
  if (typeof d['conversations'] === 'number' && typeof d['blocks'] === 'number') {
    const older =
      typeof d['retentionDays'] === 'number' ? ` older than ${count(d['retentionDays'], 'day', 'days')}` : '';
    parts.push(
      `${count(d['conversations'], 'transcript', 'transcripts')} and ${count(d['blocks'], 'ended block', 'ended blocks')}${older}`,
    );
  }
  if (d['reason'] === 'wrong_password') parts.push('Wrong password');
  if (d['reason'] === 'deactivated') parts.push('The account is deactivated');
  if (typeof d['lockedMinutes'] === 'number')
    parts.push(`Too many failures: the account is locked for ${formatDuration(d['lockedMinutes'] * 60)}`);
  return parts.join('. ');
}
