import SqliteDatabase from 'better-sqlite3';

export interface StatementStats {
  count: number;
  /** Time spent inside SQLite running them (wall clock, on the server's main thread). */
  ms: number;
}

/**
 * Diagnostics for `--profile` runs: counts the SQL statements the server runs, by verb and
 * table, and the time spent inside SQLite for them. Wraps better-sqlite3's statement methods, so
 * it counts executions whether or not a statement was prepared anew. Installed before the
 * server opens its database.
 */
export function countStatements(): { read: () => Record<string, StatementStats>; reset: () => void } {
  const stats = new Map<string, StatementStats>();
  const probe = new SqliteDatabase(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all'] as const) {
    const original = proto[method] as (this: SqliteDatabase.Statement, ...args: unknown[]) => unknown;
    proto[method] = function (this: SqliteDatabase.Statement, ...args: unknown[]) {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const key = keyOf(this.source);
        const entry = stats.get(key) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
        stats.set(key, entry);
      }
    };
  }
  return {
    read: () => Object.fromEntries([...stats.entries()].sort((a, b) => b[1].ms - a[1].ms)),
    reset: () => stats.clear(),
  };
}

function keyOf(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
  const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}
