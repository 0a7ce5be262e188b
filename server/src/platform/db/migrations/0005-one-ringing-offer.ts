import { sql, type Kysely } from 'kysely';

/**
 * A person is rung at most once at a time for a chat. Two routing passes running at once (two
 * chats started together, or two server instances) could otherwise both ring the same person,
 * and a burst of chats became a storm of repeated offers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update conversation_offers set state = 'withdrawn'
    where state = 'ringing' and id not in (
      select min(id) from conversation_offers where state = 'ringing' group by conversation_id, staff_id
    )
  `.execute(db);
  await db.schema
    .createIndex('conversation_offers_one_ringing_idx')
    .on('conversation_offers')
    .columns(['conversation_id', 'staff_id'])
    .unique()
    .where(sql.ref('state'), '=', sql.lit('ringing'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_offers_one_ringing_idx').execute();
}
