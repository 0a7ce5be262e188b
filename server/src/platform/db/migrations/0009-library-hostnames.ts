import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * Host names a library's own public pages answer on (a cooperative gives each member library
 * its own, e.g. ask.eastside.example), so that its home page, full-page chat and widget find it
 * without a `?library=` in every link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable('libraries')
    .addColumn('hostnames_json', t.json, (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('libraries').dropColumn('hostnames_json').execute();
}
