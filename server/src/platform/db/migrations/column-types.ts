import { SqliteAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Column types per dialect, for migrations only (they must not import application code).
 * SQLite stores timestamps as ISO-8601 text, booleans as 0/1 and JSON as text.
 */
export function columnTypes(db: Kysely<unknown>): {
  timestamp: RawBuilder<unknown>;
  json: RawBuilder<unknown>;
  boolean: RawBuilder<unknown>;
} {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return isSqlite
    ? { timestamp: sql`text`, json: sql`text`, boolean: sql`integer` }
    : { timestamp: sql`timestamptz`, json: sql`jsonb`, boolean: sql`boolean` };
}
