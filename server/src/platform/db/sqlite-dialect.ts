import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite dialect with two changes that matter under load:
 * - prepared statements are kept and reused: Kysely's driver prepares every statement anew,
 *   which costs more than running it (better-sqlite3 statements are synchronous, so one object
 *   is never in use twice at once);
 * - the single connection is handed out first come, first served. Kysely's lock wakes every
 *   waiter on each release and all but one go back to sleep, so a thousand sockets waiting for
 *   the database cost a thousand wake-ups per statement.
 */
export class CachingSqliteDialect implements Dialect {
  readonly #connection: CachingSqliteConnection;
  constructor(private readonly database: SqliteDatabase.Database) {
    this.#connection = new CachingSqliteConnection(database);
  }
  createAdapter() {
    const adapter = new SqliteAdapter();
    connections.set(adapter, this.#connection);
    return adapter;
  }
  createDriver(): Driver {
    return new QueuedSqliteDriver(this.database, this.#connection);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** A lock that admits waiters in arrival order, waking only the next one. */
export class FifoLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** The connection behind each Kysely instance on this dialect, found by its adapter. */
const connections = new WeakMap<object, CachingSqliteConnection>();

/**
 * Runs a compiled statement at once, without Kysely's asynchronous layers, when `db` is a
 * transaction on this dialect: the transaction holds the only connection, so nothing else can
 * be running on it. Answers the raw rows, or undefined when `db` is anything else (run the
 * query through Kysely then). Kysely plugins do not see these rows.
 */
export function runInSqliteTransaction(
  db: { isTransaction: boolean; getExecutor(): { adapter: object } },
  sql: string,
  parameters: readonly unknown[],
): unknown[] | undefined {
  if (!db.isTransaction) return undefined;
  return connections.get(db.getExecutor().adapter)?.runNow(sql, parameters);
}

class QueuedSqliteDriver implements Driver {
  readonly #lock = new FifoLock();

  constructor(
    private readonly database: SqliteDatabase.Database,
    private readonly connection: CachingSqliteConnection,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.acquire();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#lock.release();
  }

  async destroy(): Promise<void> {
    this.database.close();
  }
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

class CachingSqliteConnection implements DatabaseConnection {
  readonly #cache = new Map<string, SqliteDatabase.Statement>();

  constructor(private readonly database: SqliteDatabase.Database) {}

  #prepare(sql: string): SqliteDatabase.Statement {
    let statement = this.#cache.get(sql);
    if (statement) {
      // Most recently used last, so the first entry is the one to evict.
      this.#cache.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    this.#cache.set(sql, statement);
    return statement;
  }

  /** Runs a statement synchronously; answers its rows (none for a statement that returns none). */
  runNow(sql: string, parameters: readonly unknown[]): unknown[] {
    const statement = this.#prepare(sql);
    if (statement.reader) return statement.all(parameters as unknown[]);
    statement.run(parameters as unknown[]);
    return [];
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not used with SQLite');
  }
}
