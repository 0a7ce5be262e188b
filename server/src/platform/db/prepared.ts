import { CompiledQuery, SqliteAdapter, type Compilable, type UnknownRow } from 'kysely';
import type { Db } from './database.ts';
import { runInSqliteTransaction } from './sqlite-dialect.ts';
import { normaliseRow, toDatabaseValue } from './values-plugin.ts';

interface Compiled {
  query: CompiledQuery;
  isSqlite: boolean;
  /** For each parameter position, the argument it takes (or undefined for a fixed value). */
  slots: Array<string | undefined>;
}

const PLACEHOLDER = '\u0000arg:';

/**
 * A query built and compiled once per dialect, then run with new arguments. Building and
 * compiling a Kysely query costs more than running a simple one on SQLite; on the paths every
 * chat message takes, that is most of the work.
 *
 * `build` receives stand-ins for the arguments: use them only as values (in `where`, `set`,
 * `values`), never to decide the shape of the query, which is fixed at the first call.
 */
export function prepared<A extends Record<string, unknown>, O>(
  build: (db: Db, args: A) => Compilable<O>,
): (db: Db, args: A) => Promise<O[]> {
  const byAdapter = new WeakMap<object, Compiled>();
  const stand = new Proxy({} as A, {
    get: (_target, key) => (typeof key === 'string' ? `${PLACEHOLDER}${key}` : undefined),
  });
  return async (db, args) => {
    const adapter = db.getExecutor().adapter;
    let compiled = byAdapter.get(adapter);
    if (!compiled) {
      const query = build(db, stand).compile();
      const slots = query.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(PLACEHOLDER) ? p.slice(PLACEHOLDER.length) : undefined,
      );
      compiled = { query, isSqlite: adapter instanceof SqliteAdapter, slots };
      byAdapter.set(adapter, compiled);
    }
    const { query, isSqlite, slots } = compiled;
    const parameters = slots.map((slot, i) =>
      slot === undefined ? query.parameters[i] : toDatabaseValue(args[slot], isSqlite),
    );
    // Inside a SQLite transaction the statement runs at once; the rows get what the plugin does.
    const direct = isSqlite ? runInSqliteTransaction(db, query.sql, parameters) : undefined;
    if (direct) return direct.map((row) => normaliseRow(row as UnknownRow) as O);
    const result = await db.executeQuery<O>(CompiledQuery.raw(query.sql, parameters));
    return result.rows;
  };
}
