import { sql, type Kysely } from 'kysely';

/**
 * One open conversation per desk, channel and start client id: two copies of the same start sent
 * at once (a double click, a retry racing its original) open one chat, not two. Closed chats
 * leave the index, so it stays small. Copies already made keep their conversation; only the
 * earliest keeps the client id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update conversations set start_client_id = null
    where start_client_id is not null
      and status in ('queued', 'active', 'pending')
      and exists (
        select 1 from conversations earlier
        where earlier.desk_id = conversations.desk_id
          and earlier.channel = conversations.channel
          and earlier.start_client_id = conversations.start_client_id
          and earlier.status in ('queued', 'active', 'pending')
          and (earlier.created_at < conversations.created_at
            or (earlier.created_at = conversations.created_at and earlier.id < conversations.id))
      )
  `.execute(db);
  await db.schema
    .createIndex('conversations_open_start_client_uq')
    .on('conversations')
    .columns(['desk_id', 'channel', 'start_client_id'])
    .unique()
    .where(sql.ref('start_client_id'), 'is not', null)
    .where(sql.ref('status'), 'in', sql`('queued', 'active', 'pending')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_open_start_client_uq').execute();
}
