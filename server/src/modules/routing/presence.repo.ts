import type { Db } from '../../platform/db/database.ts';
import type { PresenceRow } from '../../platform/db/schema.ts';
import { hasNoLiveConnection } from './live-connections.ts';

export function findPresence(db: Db, staffId: string): Promise<PresenceRow | undefined> {
  return db.selectFrom('staff_presence').selectAll().where('staff_id', '=', staffId).executeTakeFirst();
}

async function ensurePresence(db: Db, staffId: string, now: string): Promise<void> {
  await db
    .insertInto('staff_presence')
    .values({
      staff_id: staffId,
      status: 'offline',
      desk_ids_json: [],
      free_since: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('staff_id').doNothing())
    .execute();
}

/**
 * Sets what the person chose (status, desks); `onlyIf` makes it conditional (e.g. only while
 * still available, or only while no dashboard tab of theirs is connected anywhere).
 */
export async function updatePresence(
  db: Db,
  staffId: string,
  changes: { status?: string; desk_ids_json?: string[]; free_since?: string },
  now: string,
  onlyIf?: { status?: string; noConnections?: boolean },
): Promise<boolean> {
  await ensurePresence(db, staffId, now);
  let q = db
    .updateTable('staff_presence')
    .set({ ...changes, updated_at: now })
    .where('staff_id', '=', staffId);
  if (onlyIf?.status !== undefined) q = q.where('status', '=', onlyIf.status);
  if (onlyIf?.noConnections) q = q.where(hasNoLiveConnection('staff', 'staff_presence.staff_id'));
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function listPresenceRows(db: Db, staffIds: string[]): Promise<PresenceRow[]> {
  if (staffIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('staff_presence').selectAll().where('staff_id', 'in', staffIds).execute();
}

/** Active chats per staff member. */

/**
 * Takes a person's presence row for the rest of the transaction: what gives them a chat or
 * changes their status takes it first, so such transactions for one person take turns.
 */
export async function lockPresence(trx: Db, staffId: string, now: string): Promise<void> {
  await trx.updateTable('staff_presence').set({ updated_at: now }).where('staff_id', '=', staffId).execute();
}

/** People offline since before `before` (their presence unchanged since): whose open chats may be handed back. */
export function listOfflineSince(db: Db, before: string) {
  return db
    .selectFrom('staff_presence')
    .select('staff_id')
    .where('status', '=', 'offline')
    .where('updated_at', '<=', before)
    .execute();
}
