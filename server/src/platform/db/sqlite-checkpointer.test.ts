import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'branchline-checkpoint-'));
  dirs.push(dir);
  return path.join(dir, 'db.sqlite');
}

describe('SQLite checkpoints from a worker thread', () => {
  it('copies committed pages into the database file while the server goes on writing', async () => {
    const file = tempFile();
    const handle = openDatabase(`sqlite:${file}`);
    await sql`create table notes (id integer primary key, body text not null)`.execute(handle.db);
    const before = fs.statSync(file).size;

    // About 4 MB in many small commits: far below the connection's own automatic checkpoint.
    const body = 'x'.repeat(2000);
    for (let i = 0; i < 2000; i++) await sql`insert into notes (body) values (${body})`.execute(handle.db);

    const deadline = Date.now() + 5000;
    while (fs.statSync(file).size - before < 3_000_000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fs.statSync(file).size - before).toBeGreaterThanOrEqual(3_000_000);

    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(handle.db);
    expect(rows[0]?.n).toBe(2000);
    await handle.close();
  });

  it('stops with the database, leaving it whole for the next start', async () => {
    const file = tempFile();
    const first = openDatabase(`sqlite:${file}`);
    await sql`create table notes (id integer primary key, body text not null)`.execute(first.db);
    await sql`insert into notes (body) values ('kept')`.execute(first.db);
    await first.close();

    const second = openDatabase(`sqlite:${file}`);
    const { rows } = await sql<{ body: string }>`select body from notes`.execute(second.db);
    expect(rows).toEqual([{ body: 'kept' }]);
    await second.close();
  });
});
