import type { Kysely } from 'kysely';

/** Finding a chat by the client id of its first message: a retried start must not open a second chat. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('conversation_events_client_id_idx')
    .on('conversation_events')
    .column('client_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_events_client_id_idx').execute();
}
