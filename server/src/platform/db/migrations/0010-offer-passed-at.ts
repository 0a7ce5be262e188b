import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * When a person let a chat pass (declined it, or let it ring out). Routing asks them again only
 * a ring time after that, so a person who just said no is not rung again at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.alterTable('conversation_offers').addColumn('passed_at', t.timestamp).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation_offers').dropColumn('passed_at').execute();
}
