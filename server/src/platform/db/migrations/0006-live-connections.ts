import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * Who is connected, per server instance. A counter on the staff and conversation rows could
 * not tell which instance held a connection: one instance restarting reset everyone's counts,
 * and the counts of an instance that crashed stayed up for good. Each instance now records its
 * own connections and a heartbeat; the rows of an instance that stops beating are removed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('server_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('heartbeat_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('live_connections')
    .addColumn('instance_id', 'text', (c) => c.notNull().references('server_instances.id').onDelete('cascade'))
    /** `staff` (a dashboard tab) or `patron` (a chat widget or page). */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** The staff member's id, or the conversation's. */
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('connections', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_connections_pk', ['instance_id', 'kind', 'subject_id'])
    .execute();
  await db.schema
    .createIndex('live_connections_subject_idx')
    .on('live_connections')
    .columns(['kind', 'subject_id'])
    .execute();
  await db.schema.alterTable('staff_presence').dropColumn('connections').execute();
  await db.schema.alterTable('conversations').dropColumn('patron_connections').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('patron_connections', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('staff_presence')
    .addColumn('connections', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.dropTable('live_connections').execute();
  await db.schema.dropTable('server_instances').execute();
}
