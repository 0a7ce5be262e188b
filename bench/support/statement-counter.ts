import SqliteDatabase from 'better-sqlite3';

/**
 * Diagnostics for `--profile` runs: counts the SQL statements the server prepares, by verb and
 * table. Kysely's SQLite driver prepares every statement it runs (begin and commit included), so
 * this counts statements executed. Installed before the server opens its database.
 */
export function countStatements(): { read: () => Record<string, number>; reset: () => void } {
  const counts = new Map<string, number>();
  const proto = SqliteDatabase.prototype;
  const original = proto.prepare;
  proto.prepare = function (this: typeof proto, source: string) {
    const key = keyOf(source);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.call(this, source);
  } as typeof original;
  return {
    read: () => Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1])),
    reset: () => counts.clear(),
  };
}

function keyOf(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
  const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}
