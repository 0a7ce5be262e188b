import { sql, type Kysely } from 'kysely';

/**
 * Each audit entry belongs to a library (the library of the record it is about), so a library's
 * administrators read their own log and nobody else's, and says what kind of actor made it.
 * Entries already written are filed under their subject's library, or their actor's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('library_id', 'text').execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('actor_kind', 'text', (c) => c.notNull().defaultTo('system'))
    .execute();
  await sql`
    update audit_log set library_id = case subject_type
      when 'library' then subject_id
      when 'branch' then (select library_id from branches where branches.id = audit_log.subject_id)
      when 'desk' then (select library_id from desks where desks.id = audit_log.subject_id)
      when 'staff' then (select library_id from staff where staff.id = audit_log.subject_id)
      when 'conversation' then (select library_id from conversations where conversations.id = audit_log.subject_id)
    end
  `.execute(db);
  await sql`
    update audit_log set library_id = (select library_id from staff where staff.id = audit_log.actor_staff_id)
    where library_id is null and actor_staff_id is not null
  `.execute(db);
  await sql`
    update audit_log set actor_kind = case
      when actor_staff_id is not null then 'staff'
      when action = 'staff.password_reset' then 'anonymous'
      else 'system'
    end
  `.execute(db);
  await db.schema.createIndex('audit_log_library_at_idx').on('audit_log').columns(['library_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_log_library_at_idx').execute();
  await db.schema.alterTable('audit_log').dropColumn('actor_kind').execute();
  await db.schema.alterTable('audit_log').dropColumn('library_id').execute();
}
