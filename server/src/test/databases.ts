import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type Dialect } from '../platform/db/database.ts';

/**
 * The dialects a data-layer or service suite runs on: SQLite always; PostgreSQL when
 * TEST_DATABASE_URL is set. With REQUIRE_SERVICES=1 a missing PostgreSQL fails instead of skipping.
 */
export function dialectsUnderTest(): Dialect[] {
  if (process.env.TEST_DATABASE_URL) return ['sqlite', 'postgres'];
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error('REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set: PostgreSQL tests cannot run');
  }
  if (!warned) {
    warned = true;
    process.stderr.write('PostgreSQL suites skipped: set TEST_DATABASE_URL=postgres://… to run them.\n');
  }
  return ['sqlite'];
}
let warned = false;

export interface TestDatabase extends DatabaseHandle {
  /** Drops the schema (PostgreSQL) or deletes the file (SQLite). */
  destroy(): Promise<void>;
}

/** A fresh, empty, isolated database of the given dialect: its own file or its own schema. */
export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'branchline-test-'));
    const handle = openDatabase(`sqlite:${path.join(dir, 'test.db')}`);
    return {
      ...handle,
      async destroy() {
        await handle.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `test_${crypto.randomBytes(6).toString('hex')}`;
  await withAdminClient(url, (client) => client.query(`create schema ${schema}`));
  const handle = openDatabase(url, { schema, poolSize: 4 });
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await withAdminClient(url, (client) => client.query(`drop schema ${schema} cascade`));
    },
  };
}

async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
