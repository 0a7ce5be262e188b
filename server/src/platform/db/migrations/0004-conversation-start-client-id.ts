import { sql, type Kysely } from 'kysely';

/**
 * A retried chat start is found by the client id of its first message, kept on the conversation
 * itself. The index on every event's client id it replaces cost a write on every message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('start_client_id', 'text').execute();
  await sql`
    update conversations set start_client_id = (
      select e.client_id from conversation_events e where e.conversation_id = conversations.id and e.seq = 1
    )
  `.execute(db);
  await db.schema
    .createIndex('conversations_desk_start_client_idx')
    .on('conversations')
    .columns(['desk_id', 'start_client_id'])
    .execute();
  await db.schema.dropIndex('conversation_events_client_id_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('conversation_events_client_id_idx')
    .on('conversation_events')
    .column('client_id')
    .execute();
  await db.schema.dropIndex('conversations_desk_start_client_idx').execute();
  await db.schema.alterTable('conversations').dropColumn('start_client_id').execute();
}
