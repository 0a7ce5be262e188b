import { Migrator, PostgresAdapter, sql, type Migration, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-conversations.ts';
import * as m0003 from './migrations/0003-event-client-id-index.ts';
import * as m0004 from './migrations/0004-conversation-start-client-id.ts';
import * as m0005 from './migrations/0005-one-ringing-offer.ts';
import * as m0006 from './migrations/0006-live-connections.ts';
import * as m0007 from './migrations/0007-browser-blocks.ts';
import * as m0008 from './migrations/0008-transcript-retention.ts';
import * as m0009 from './migrations/0009-library-hostnames.ts';
import * as m0010 from './migrations/0010-offer-passed-at.ts';
import * as m0011 from './migrations/0011-conversation-closed-at.ts';
import * as m0012 from './migrations/0012-audit-log-library.ts';
import * as m0013 from './migrations/0013-open-start-client-unique.ts';
import * as m0014 from './migrations/0014-conversation-requeued-at.ts';

/** Every migration, in order. Listed here (not read from disk) so bundling and tsx agree. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-conversations': m0002,
  '0003-event-client-id-index': m0003,
  '0004-conversation-start-client-id': m0004,
  '0005-one-ringing-offer': m0005,
  '0006-live-connections': m0006,
  '0007-browser-blocks': m0007,
  '0008-transcript-retention': m0008,
  '0009-library-hostnames': m0009,
  '0010-offer-passed-at': m0010,
  '0011-conversation-closed-at': m0011,
  '0012-audit-log-library': m0012,
  '0013-open-start-client-unique': m0013,
  '0014-conversation-requeued-at': m0014,
};

async function migratorFor({ db, schema }: Pick<DatabaseHandle, 'db' | 'schema'>): Promise<Migrator> {
  // Named explicitly so tables of the same name in other schemas are never mistaken for ours. On
  // PostgreSQL without a named schema, that is the connection's current one (its search path).
  const tableSchema =
    schema ??
    (db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows[0]?.name
      : undefined);
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(tableSchema === undefined ? {} : { migrationTableSchema: tableSchema }),
  });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(database: Pick<DatabaseHandle, 'db' | 'schema'>): Promise<string[]> {
  return unwrap(await (await migratorFor(database)).migrateToLatest());
}

export async function migrateDown(database: Pick<DatabaseHandle, 'db' | 'schema'>): Promise<string[]> {
  return unwrap(await (await migratorFor(database)).migrateDown());
}

function unwrap({ error, results }: MigrationResultSet): string[] {
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    throw new MigrationError(`Migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
