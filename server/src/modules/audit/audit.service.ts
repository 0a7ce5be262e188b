import type { Actor } from '../../platform/actor.ts';
import type { Db } from '../../platform/db/database.ts';
import { newId } from '../../platform/tokens.ts';

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** Never patron message text or secrets: names of changed fields, roles, counts. */
  details?: Record<string, unknown>;
}

/** Records who did what to which record. Runs inside the caller's transaction when given one. */
export async function recordAudit(db: Db, actor: Actor, at: string, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at,
      actor_staff_id: actor.kind === 'staff' ? actor.staffId : null,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      details_json: entry.details ?? {},
    })
    .execute();
}
