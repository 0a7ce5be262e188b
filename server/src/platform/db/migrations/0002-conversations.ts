import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .alterTable('desks')
    .addColumn('wait_threshold_seconds', 'integer', (c) => c.notNull().defaultTo(90))
    .execute();
  await db.schema
    .alterTable('desks')
    .addColumn('ring_timeout_seconds', 'integer', (c) => c.notNull().defaultTo(30))
    .execute();
  await db.schema
    .alterTable('staff')
    .addColumn('max_concurrent_chats', 'integer', (c) => c.notNull().defaultTo(3))
    .execute();
  await db.schema
    .alterTable('libraries')
    .addColumn('allowed_origins_json', t.json, (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();

  await db.schema
    .createTable('patrons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('patrons_library_email_idx').on('patrons').columns(['library_id', 'email']).execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('desk_id', 'text', (c) => c.notNull().references('desks.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.references('staff.id').onDelete('set null'))
    .addColumn('patron_id', 'text', (c) => c.notNull().references('patrons.id').onDelete('cascade'))
    .addColumn('patron_token_hash', 'text', (c) => c.unique())
    .addColumn('patron_ip_hash', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('tags_json', t.json, (c) => c.notNull())
    .addColumn('read_scale', 'integer')
    .addColumn('rating_score', 'integer')
    .addColumn('rating_comment', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('patron_seen_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('staff_seen_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('patron_connections', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('patron_left_at', t.timestamp)
    .addColumn('transcript_email', 'text')
    .addColumn('transcript_requested_at', t.timestamp)
    .addColumn('is_over_threshold', t.boolean, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('queued_at', t.timestamp)
    .addColumn('accepted_at', t.timestamp)
    .addColumn('first_response_at', t.timestamp)
    .addColumn('resolved_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversations_desk_status_idx')
    .on('conversations')
    .columns(['desk_id', 'status', 'queued_at'])
    .execute();
  await db.schema
    .createIndex('conversations_assignee_status_idx')
    .on('conversations')
    .columns(['assignee_id', 'status'])
    .execute();
  await db.schema
    .createIndex('conversations_library_created_idx')
    .on('conversations')
    .columns(['library_id', 'created_at'])
    .execute();
  await db.schema.createIndex('conversations_patron_idx').on('conversations').column('patron_id').execute();

  await db.schema
    .createTable('conversation_events')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_staff_id', 'text', (c) => c.references('staff.id').onDelete('set null'))
    .addColumn('author_name', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('system_kind', 'text')
    .addColumn('data_json', t.json, (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_events_pk', ['conversation_id', 'seq'])
    .addUniqueConstraint('conversation_events_client_id_unique', ['conversation_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('conversation_offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('offered_at', t.timestamp, (c) => c.notNull())
    .addColumn('ring_until', t.timestamp)
    .execute();
  await db.schema
    .createIndex('conversation_offers_conversation_idx')
    .on('conversation_offers')
    .columns(['conversation_id', 'state'])
    .execute();
  await db.schema
    .createIndex('conversation_offers_staff_idx')
    .on('conversation_offers')
    .columns(['staff_id', 'state'])
    .execute();

  await db.schema
    .createTable('staff_presence')
    .addColumn('staff_id', 'text', (c) => c.primaryKey().references('staff.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('desk_ids_json', t.json, (c) => c.notNull())
    .addColumn('connections', 'integer', (c) => c.notNull())
    .addColumn('free_since', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('patron_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('patron_id', 'text', (c) => c.references('patrons.id').onDelete('cascade'))
    .addColumn('ip_hash', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('staff.id').onDelete('set null'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('until', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('patron_blocks_library_until_idx')
    .on('patron_blocks')
    .columns(['library_id', 'until'])
    .execute();

  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('canned_responses_shortcut_unique', ['library_id', 'shortcut'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'canned_responses',
    'patron_blocks',
    'staff_presence',
    'conversation_offers',
    'conversation_events',
    'conversations',
    'patrons',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('libraries').dropColumn('allowed_origins_json').execute();
  await db.schema.alterTable('staff').dropColumn('max_concurrent_chats').execute();
  await db.schema.alterTable('desks').dropColumn('ring_timeout_seconds').execute();
  await db.schema.alterTable('desks').dropColumn('wait_threshold_seconds').execute();
}
