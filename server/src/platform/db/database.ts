import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import { CachingSqliteDialect } from './sqlite-dialect.ts';
import { ValuesPlugin } from './values-plugin.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /**
   * PostgreSQL schema holding our tables (and the migration bookkeeping), when one was named;
   * undefined means the connection's own search path (as set in DATABASE_URL), and on SQLite.
   */
  schema: string | undefined;
  /** Answers whether the database responds to a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: the schema to search first (it must exist), for isolated test databases. */
  schema?: string;
  poolSize?: number;
}

/** Opens `sqlite:<file>` or `postgres://…` behind one Kysely handle. */
export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  return url.startsWith('sqlite:') ? openSqlite(url.slice('sqlite:'.length)) : openPostgres(url, options);
}

/** How every SQLite connection is set up. */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'foreign_keys = ON',
  'busy_timeout = 5000',
  'synchronous = NORMAL',
  // A 64 MiB page cache keeps the busy indexes in memory.
  'cache_size = -65536',
  // Checkpoints run in a worker (sqlite-checkpointer.ts); the connection's own automatic ones
  // are a backstop for a log the worker could not keep small.
  'wal_autocheckpoint = 20000',
  'journal_size_limit = 67108864',
];

function openSqlite(file: string): DatabaseHandle {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
  // SQLite's own lower() changes only A–Z; searches by name must find "Élodie" as "élodie" too,
  // as PostgreSQL's lower() does.
  database.function('lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
  const db = new Kysely<Database>({
    dialect: new CachingSqliteDialect(database),
    plugins: [new ValuesPlugin(true)],
  });
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(file);
  return {
    db,
    dialect: 'sqlite',
    schema: undefined,
    ping: () => pingWith(db),
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;

function openPostgres(url: string, options: DatabaseOptions): DatabaseHandle {
  const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ);
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === TIMESTAMPTZ || oid === TIMESTAMP) {
        return (value: string) => (parseTimestamp(value) as Date).toISOString();
      }
      if (oid === INT8) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('Invalid schema name');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's connection dropping must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new ValuesPlugin(false)],
  });
  return {
    db,
    dialect: 'postgres',
    schema,
    ping: () => pingWith(db),
    close: () => db.destroy(),
  };
}

async function pingWith(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
