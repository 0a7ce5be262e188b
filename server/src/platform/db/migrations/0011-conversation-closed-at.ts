import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * When the staff member who had an ended chat closed it in their console (wrap-up done). Until
 * then the chat stays in their "My chats", across reloads and on every tab.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.alterTable('conversations').addColumn('closed_at', t.timestamp).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('closed_at').execute();
}
