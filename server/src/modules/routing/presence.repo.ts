import type { Db } from '../../platform/db/database.ts';
import type { PresenceRow } from '../../platform/db/schema.ts';

export function findPresence(db: Db, staffId: string): Promise<PresenceRow | undefined> {
  return db.selectFrom('staff_presence').selectAll().where('staff_id', '=', staffId).executeTakeFirst();
}

export async function savePresence(db: Db, row: PresenceRow): Promise<PresenceRow> {
  await db
    .insertInto('staff_presence')
    .values(row)
    .onConflict((oc) =>
      oc.column('staff_id').doUpdateSet({
        status: row.status,
        desk_ids_json: row.desk_ids_json,
        connections: row.connections,
        free_since: row.free_since,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return row;
}

/** Adds `delta` to the open-connection count atomically and answers the new row. */
export async function adjustConnections(db: Db, staffId: string, delta: number, now: string): Promise<PresenceRow> {
  await db
    .insertInto('staff_presence')
    .values({
      staff_id: staffId,
      status: 'offline',
      desk_ids_json: [],
      connections: 0,
      free_since: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('staff_id').doNothing())
    .execute();
  return db
    .updateTable('staff_presence')
    .set((eb) => ({ connections: eb('connections', '+', delta), updated_at: now }))
    .where('staff_id', '=', staffId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listPresenceRows(db: Db, staffIds: string[]): Promise<PresenceRow[]> {
  if (staffIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('staff_presence').selectAll().where('staff_id', 'in', staffIds).execute();
}

/** Active chats per staff member. */
export async function activeChatCounts(db: Db, libraryId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('library_id', '=', libraryId)
    .where('status', '=', 'active')
    .where('assignee_id', 'is not', null)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id ?? '', Number(r.n)]));
}
