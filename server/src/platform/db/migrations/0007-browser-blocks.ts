import { sql, type Kysely } from 'kysely';

/**
 * Blocks can cover one browser instead of a whole network. Blocking by address alone shut out
 * everyone behind it: a branch's public computers, a school, a phone carrier's shared address.
 * The widget keeps a random key in the patron's browser; the server keeps only its keyed hash.
 * Blocks made before this were by address, and stay so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('patron_browser_hash', 'text').execute();
  await db.schema.alterTable('patron_blocks').addColumn('browser_hash', 'text').execute();
  await db.schema
    .alterTable('patron_blocks')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo(sql.lit('network')))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('patron_blocks').dropColumn('scope').execute();
  await db.schema.alterTable('patron_blocks').dropColumn('browser_hash').execute();
  await db.schema.alterTable('conversations').dropColumn('patron_browser_hash').execute();
}
