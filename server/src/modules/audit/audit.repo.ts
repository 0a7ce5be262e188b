import type { AuditSubjectType } from '@branchline/protocol';
import type { Db } from '../../platform/db/database.ts';
import type { AuditLogTable } from '../../platform/db/schema.ts';
import type { Insertable, Selectable } from 'kysely';

export type AuditRow = Selectable<AuditLogTable>;

export async function insertAuditRow(db: Db, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditFilter {
  libraryId: string;
  action?: string | undefined;
  actorId?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Entries strictly older than this position (newest first: by time, then id). */
  before?: { at: string; id: string } | undefined;
  limit: number;
}

/** A library's entries, newest first. */
export function listAuditRows(db: Db, filter: AuditFilter): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().where('library_id', '=', filter.libraryId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.actorId !== undefined) query = query.where('actor_staff_id', '=', filter.actorId);
  if (filter.subjectType !== undefined) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('at', '<', filter.until);
  const before = filter.before;
  if (before !== undefined)
    query = query.where((eb) =>
      eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]),
    );
  return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

const NAMED: Record<Exclude<AuditSubjectType, 'conversation' | 'staff'>, 'libraries' | 'branches' | 'desks'> = {
  library: 'libraries',
  branch: 'branches',
  desk: 'desks',
};

/** The current names of records, by id; ids of records that no longer exist are left out. */
export async function namesOf(db: Db, type: AuditSubjectType, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  let rows: { id: string; name: string }[];
  if (type === 'staff') {
    rows = await db.selectFrom('staff').select(['id', 'display_name as name']).where('id', 'in', ids).execute();
  } else if (type === 'conversation') {
    const found = await db
      .selectFrom('conversations')
      .innerJoin('desks', 'desks.id', 'conversations.desk_id')
      .select(['conversations.id as id', 'conversations.channel as channel', 'desks.name as desk'])
      .where('conversations.id', 'in', ids)
      .execute();
    rows = found.map((row) => ({ id: row.id, name: `${capitalize(row.channel)} at ${row.desk}` }));
  } else {
    rows = await db.selectFrom(NAMED[type]).select(['id', 'name']).where('id', 'in', ids).execute();
  }
  return new Map(rows.map((row) => [row.id, row.name]));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
