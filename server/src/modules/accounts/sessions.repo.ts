import type { Db } from '../../platform/db/database.ts';

export interface NewSession {
  idHash: string;
  staffId: string;
  now: string;
  expiresAt: string;
  ip: string;
  userAgent: string;
}

export async function insertSession(db: Db, s: NewSession): Promise<void> {
  await db
    .insertInto('staff_sessions')
    .values({
      id_hash: s.idHash,
      staff_id: s.staffId,
      created_at: s.now,
      last_seen_at: s.now,
      expires_at: s.expiresAt,
      ip: s.ip.slice(0, 64),
      user_agent: s.userAgent.slice(0, 300),
    })
    .execute();
}

export async function findSession(db: Db, idHash: string) {
  return db.selectFrom('staff_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, at: string): Promise<void> {
  await db.updateTable('staff_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOfStaff(db: Db, staffId: string, exceptIdHash?: string): Promise<void> {
  let q = db.deleteFrom('staff_sessions').where('staff_id', '=', staffId);
  if (exceptIdHash !== undefined) q = q.where('id_hash', '!=', exceptIdHash);
  await q.execute();
}

export async function deleteExpiredSessions(db: Db, idleBefore: string, now: string): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
