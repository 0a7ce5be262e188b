import crypto from 'node:crypto';
import type { Db } from './db/database.ts';

const KEY = 'session_secret';

/**
 * Without SESSION_SECRET, one is generated on first start and kept in the database, so every
 * instance and every restart share it.
 */
export async function loadOrCreateSecret(db: Db): Promise<string> {
  const existing = await db.selectFrom('instance_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('instance_settings')
    .values({ key: KEY, value: crypto.randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('instance_settings').select('value').where('key', '=', KEY).executeTakeFirstOrThrow();
  return row.value;
}
