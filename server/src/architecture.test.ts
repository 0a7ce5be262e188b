import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Modules call each other's services, never each other's tables (STYLE.md). This suite reads the
 * server's source and fails when a module queries a table another module owns, so the boundary
 * holds as the code grows. Importing another module's repository is refused by the linter.
 */

const here = dirname(fileURLToPath(import.meta.url));
const modulesDir = join(here, 'modules');

/** Who owns each table: only that module's files name it in a query. */
const OWNER: Record<string, string> = {
  staff: 'accounts',
  staff_sessions: 'accounts',
  password_reset_tokens: 'accounts',
  login_throttle: 'accounts',
  audit_log: 'audit',
  canned_responses: 'canned',
  patron_blocks: 'chat',
  conversations: 'conversations',
  conversation_events: 'conversations',
  patrons: 'conversations',
  libraries: 'libraries',
  branches: 'libraries',
  desks: 'libraries',
  conversation_offers: 'routing',
  staff_presence: 'routing',
  live_connections: 'routing',
  server_instances: 'routing',
};

/**
 * Reads across the boundary that are there by design, each with its reason. Writes to another
 * module's table are never allowed here.
 */
const ALLOWED_READS: Record<string, { tables: string[]; why: string }> = {
  'audit/audit.repo.ts': {
    tables: ['staff', 'conversations', 'desks'],
    why: 'the audit log names the record of any module an entry is about',
  },
  'chat/patron-blocks.ts': {
    tables: ['staff', 'conversations'],
    why: 'the list of blocks names who blocked and links the chat, in one query',
  },
  'chat/chat-metrics.ts': {
    tables: ['libraries', 'conversations'],
    why: 'the waiting-chats gauge counts per library in one query when Prometheus asks',
  },
  'chat/origins.ts': { tables: ['libraries'], why: "every library's allowed origins, for the CORS check" },
  'routing/staffing.ts': { tables: ['staff'], why: 'only active staff count as staffing a desk' },
  'conversations/retention.service.ts': {
    tables: ['libraries'],
    why: "each library's retention setting decides what is removed",
  },
};

/** Deleting is not reading: retention removes every kind of patron data, blocks included. */
const ALLOWED_WRITES: Record<string, string[]> = {
  'conversations/retention.service.ts': ['patron_blocks'],
};

const QUERY = /\.(selectFrom|updateTable|insertInto|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*'([a-z_]+)/g;
const WRITES = new Set(['updateTable', 'insertInto', 'deleteFrom']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Crossing {
  file: string;
  table: string;
  write: boolean;
}

function crossings(): { tables: Crossing[]; unknownTables: string[] } {
  const tables: Crossing[] = [];
  const unknownTables: string[] = [];
  for (const path of sourceFiles(modulesDir)) {
    const file = relative(modulesDir, path).split('\\').join('/');
    const module = file.split('/')[0] ?? '';
    const text = readFileSync(path, 'utf8');
    for (const [, method, table] of text.matchAll(QUERY)) {
      if (!table || !method) continue;
      const owner = OWNER[table];
      if (owner === undefined) unknownTables.push(`${file}: ${table}`);
      else if (owner !== module) tables.push({ file, table, write: WRITES.has(method) });
    }
  }
  return { tables, unknownTables };
}

describe('module boundaries', () => {
  const found = crossings();

  it('knows the owner of every table a module queries', () => {
    expect(found.unknownTables).toEqual([]);
  });

  it("never writes another module's table", () => {
    const writes = found.tables
      .filter((c) => c.write && !(ALLOWED_WRITES[c.file] ?? []).includes(c.table))
      .map((c) => `${c.file} writes ${c.table}`);
    expect(writes).toEqual([]);
  });

  it("reads another module's table only where a reason is given", () => {
    const reads = found.tables
      .filter((c) => !c.write && !(ALLOWED_READS[c.file]?.tables ?? []).includes(c.table))
      .map((c) => `${c.file} reads ${c.table}`);
    expect([...new Set(reads)]).toEqual([]);
  });

  it('finds the queries it checks (the scan itself works)', () => {
    const all = sourceFiles(modulesDir).map((p) => readFileSync(p, 'utf8'));
    const queries = all.reduce((n, text) => n + [...text.matchAll(QUERY)].length, 0);
    expect(queries).toBeGreaterThan(50);
    expect(Object.keys(ALLOWED_READS).every((f) => sourceFiles(modulesDir).some((p) => p.endsWith(f)))).toBe(true);
  });
});
