import { z } from 'zod';
import { Id, PageCursor, QueryInstant, SINCE_AFTER_UNTIL, sinceBeforeUntil, Timestamp } from './common.ts';

/** Every action the server records in the audit log. */
export const AUDIT_ACTIONS = [
  'library.created',
  'library.updated',
  'branch.created',
  'branch.updated',
  'desk.created',
  'desk.updated',
  'staff.created',
  'staff.updated',
  'staff.deactivated',
  'staff.password_set',
  'staff.password_changed',
  'staff.password_reset',
  'staff.signed_in',
  'staff.sign_in_refused',
  'conversation.viewed',
  'patron.blocked',
  'patron.unblocked',
  'transcripts.purged',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AUDIT_SUBJECT_TYPES = ['library', 'branch', 'desk', 'staff', 'conversation'] as const;
export const AuditSubjectType = z.enum(AUDIT_SUBJECT_TYPES);
export type AuditSubjectType = z.infer<typeof AuditSubjectType>;

/**
 * Who acted: a staff member; the server itself (start-up, the command line, scheduled jobs); or
 * someone not signed in, such as a staff member following a password-reset link.
 */
export const AuditActor = z.object({
  kind: z.enum(['staff', 'system', 'anonymous']),
  staffId: Id.nullable(),
  /** The staff member's name now; null when not staff, or when the account is gone. */
  displayName: z.string().nullable(),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  action: AuditAction,
  actor: AuditActor,
  subject: z.object({
    type: AuditSubjectType,
    id: Id.nullable(),
    /** The record's name now (a desk's name, a staff member's name…); null when it no longer exists. */
    label: z.string().nullable(),
  }),
  /** What changed, in names and counts: field names, a role, minutes. Never message text or secrets. */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const auditFilters = {
  action: AuditAction.optional(),
  actorId: Id.optional(),
  subjectType: AuditSubjectType.optional(),
  subjectId: Id.optional(),
  /** Entries at or after this instant. */
  since: QueryInstant.optional(),
  /** Entries before this instant. */
  until: QueryInstant.optional(),
};

export const AuditListQuery = z
  .strictObject({
    ...auditFilters,
    before: PageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine(sinceBeforeUntil, SINCE_AFTER_UNTIL);
export type AuditListQuery = z.infer<typeof AuditListQuery>;

/** The same filters, for a download of every matching entry. */
export const AuditExportQuery = z.strictObject(auditFilters).refine(sinceBeforeUntil, SINCE_AFTER_UNTIL);
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** Most entries one download holds; narrow the dates for more. */
export const AUDIT_EXPORT_MAX = 50_000;

/** One page of the audit log, newest first; `nextBefore` reads the older entries, null at the end. */
export const AuditPage = z.object({
  items: z.array(AuditEntry),
  nextBefore: PageCursor.nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;
