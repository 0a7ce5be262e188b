import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { runCli } from './cli.ts';
import { verifyPassword } from './modules/accounts/passwords.ts';
import { loadConfig } from './platform/config.ts';
import { openDatabase, type Db } from './platform/db/database.ts';
import { newId } from './platform/tokens.ts';
import { buildConversation, buildDesk } from './test/factories.ts';

/*
 * The CLI opens DATABASE_URL itself, without the per-test schema the PostgreSQL harness uses, so
 * these tests run on a throwaway SQLite file; the services it calls are covered on both dialects
 * by their own suites.
 */

const ENV_KEYS = [
  'DATABASE_URL',
  'DATA_DIR',
  'LOG_LEVEL',
  'SMTP_URL',
  'SESSION_SECRET',
  'PUBLIC_URL',
  'BRANCHLINE_DEMO',
  'BRANCHLINE_ADMIN_EMAIL',
  'BRANCHLINE_ADMIN_PASSWORD',
] as const;

let saved: Partial<Record<(typeof ENV_KEYS)[number], string>>;
let dir: string;

beforeEach(() => {
  saved = {};
  for (const key of ENV_KEYS) {
    if (process.env[key] !== undefined) saved[key] = process.env[key];
    delete process.env[key];
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'branchline-cli-'));
  process.env.DATABASE_URL = `sqlite:${path.join(dir, 'cli.db')}`;
  process.env.DATA_DIR = dir;
  process.env.LOG_LEVEL = 'silent';
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    const value = saved[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

async function withDb<T>(run: (db: Db) => Promise<T>): Promise<T> {
  const handle = openDatabase(process.env.DATABASE_URL ?? '');
  try {
    return await run(handle.db);
  } finally {
    await handle.close();
  }
}

const staffByEmail = (email: string) =>
  withDb((db) => db.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst());

const ADMIN_EMAIL = 'root@library.example';

/** What the first server start does with BRANCHLINE_DEMO=0 and an admin from the environment. */
async function startServerOnce(): Promise<void> {
  const config = {
    ...loadConfig(),
    demo: false,
    adminEmail: ADMIN_EMAIL,
    adminPassword: 'root-password-for-tests',
    webDistDir: undefined,
    widgetDistDir: undefined,
  };
  const app = await buildApp(config, { logger: false });
  try {
    await bootstrap(app.deps);
  } finally {
    await app.close();
  }
}

async function addSessions(staffId: string, count: number): Promise<void> {
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 3600_000).toISOString();
  await withDb(async (db) => {
    for (let i = 0; i < count; i++) {
      await db
        .insertInto('staff_sessions')
        .values({
          id_hash: newId(),
          staff_id: staffId,
          created_at: now,
          last_seen_at: now,
          expires_at: expires,
          ip: '',
          user_agent: '',
        })
        .execute();
    }
  });
}

const sessionCount = (staffId: string) =>
  withDb(
    async (db) =>
      (await db.selectFrom('staff_sessions').select('id_hash').where('staff_id', '=', staffId).execute()).length,
  );

describe('cli', () => {
  it('migrates, and says the database is up to date the second time', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^Applied: 0001-foundation(, [\w-]+)*$/);
    expect(await cli('migrate')).toEqual({ code: 0, output: 'The database is up to date.' });
    expect(fs.existsSync(path.join(dir, 'cli.db'))).toBe(true);
  });

  it('tells you to start the server when there is no library yet', async () => {
    const result = await cli('user:create', '--email', 'ana@example.org', '--name', 'Ana Reyes', '--role', 'admin');
    expect(result.code).toBe(69);
    expect(result.output).toMatch(/no library yet.*Start the server/s);
    expect(await staffByEmail('ana@example.org')).toBeUndefined();
  });

  describe('after the first start', () => {
    beforeEach(startServerOnce);

    it('deletes transcripts past the library’s retention on demand, and says how many', async () => {
      const id = await withDb(async (db) => {
        const library = await db.selectFrom('libraries').select('id').executeTakeFirstOrThrow();
        const desk = await buildDesk(db, library.id);
        const row = await buildConversation(db, { library_id: library.id, desk_id: desk.id, connected: false });
        await db
          .updateTable('conversations')
          .set({ status: 'resolved', resolved_at: new Date(Date.now() - 100 * 86_400_000).toISOString() })
          .where('id', '=', row.id)
          .execute();
        return row.id;
      });
      const first = await cli('purge');
      expect(first.code).toBe(0);
      expect(first.output).toMatch(/deleted the transcripts of 1 conversation\(s\) ended more than 90 days ago/);
      const events = await withDb((db) =>
        db.selectFrom('conversation_events').select('seq').where('conversation_id', '=', id).execute(),
      );
      expect(events).toEqual([]);
      expect((await cli('purge')).output).toMatch(/deleted the transcripts of 0 conversation\(s\)/);
    });

    it('creates a staff member with the given password and does not print it', async () => {
      const password = 'a-perfectly-fine-password';
      const result = await cli(
        'user:create',
        '--email',
        'Ana@Example.org',
        '--name',
        'Ana Reyes',
        '--role',
        'supervisor',
        '--password',
        password,
        '--languages',
        'es, en',
      );
      expect(result).toEqual({ code: 0, output: 'Created supervisor ana@example.org in Your Library.' });
      const row = await staffByEmail('ana@example.org');
      expect(row).toMatchObject({
        name: 'Ana Reyes',
        display_name: 'Ana',
        role: 'supervisor',
        languages_json: ['es', 'en'],
        is_active: true,
      });
      expect(await verifyPassword(row?.password_hash ?? null, password)).toBe(true);
    });

    it('generates a password, prints it once, and it signs in', async () => {
      const result = await cli(
        'user:create',
        '--email',
        'ben@example.org',
        '--name',
        'Ben Ortiz',
        '--role',
        'librarian',
      );
      expect(result.code).toBe(0);
      const password = /Password \(shown once\): (\S+)/.exec(result.output)?.[1] ?? '';
      expect(password.length).toBeGreaterThanOrEqual(12);
      expect(result.output.split(password).length - 1).toBe(1);
      expect(await verifyPassword((await staffByEmail('ben@example.org'))?.password_hash ?? null, password)).toBe(true);

      const app = await buildApp(
        { ...loadConfig(), webDistDir: undefined, widgetDistDir: undefined },
        { logger: false },
      );
      try {
        const login = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'ben@example.org', password },
        });
        expect(login.statusCode).toBe(200);
        expect((login.json() as { staff: { role: string } }).staff.role).toBe('librarian');
      } finally {
        await app.close();
      }
    });

    it.each([
      ['role', ['--email', 'cy@example.org', '--name', 'Cy', '--role', 'janitor']],
      ['email', ['--email', 'not-an-email', '--name', 'Cy', '--role', 'librarian']],
      ['name', ['--email', 'cy@example.org', '--role', 'librarian']],
      ['password', ['--email', 'cy@example.org', '--name', 'Cy', '--role', 'librarian', '--password', 'short']],
      ['languages', ['--email', 'cy@example.org', '--name', 'Cy', '--role', 'librarian', '--languages', 'en,en']],
    ])('refuses an invalid %s with exit code 65 and names the option', async (field, args) => {
      const result = await cli('user:create', ...args);
      expect(result.code).toBe(65);
      expect(result.output).toMatch(new RegExp(`^--${field}\\b`, 'm'));
      expect(await staffByEmail('cy@example.org')).toBeUndefined();
    });

    it('refuses a duplicate email, whatever its case', async () => {
      expect(
        (await cli('user:create', '--email', 'dee@example.org', '--name', 'Dee', '--role', 'librarian')).code,
      ).toBe(0);
      const duplicate = await cli('user:create', '--email', 'DEE@example.org', '--name', 'Dee Two', '--role', 'admin');
      expect(duplicate.code).toBe(65);
      expect(duplicate.output).toContain('A staff member with that email already exists.');
      expect(await staffByEmail('dee@example.org')).toMatchObject({ name: 'Dee', role: 'librarian' });
    });

    it('resets a password and ends only that person’s sessions', async () => {
      const oldPassword = 'the-old-password-123';
      await cli(
        'user:create',
        '--email',
        'eve@example.org',
        '--name',
        'Eve',
        '--role',
        'librarian',
        '--password',
        oldPassword,
      );
      const eve = await staffByEmail('eve@example.org');
      const admin = await staffByEmail(ADMIN_EMAIL);
      if (!eve || !admin) throw new Error('staff missing');
      await addSessions(eve.id, 2);
      await addSessions(admin.id, 1);

      const newPassword = 'the-new-password-456';
      const result = await cli('user:reset-password', '--email', 'EVE@example.org', '--password', newPassword);
      expect(result).toEqual({ code: 0, output: 'Password of eve@example.org changed; their sessions were ended.' });
      const after = await staffByEmail('eve@example.org');
      expect(after?.password_hash).not.toBe(eve.password_hash);
      expect(await verifyPassword(after?.password_hash ?? null, newPassword)).toBe(true);
      expect(await verifyPassword(after?.password_hash ?? null, oldPassword)).toBe(false);
      expect(await sessionCount(eve.id)).toBe(0);
      expect(await sessionCount(admin.id)).toBe(1);
    });

    it('generates a new password when none is given and prints it once', async () => {
      const admin = await staffByEmail(ADMIN_EMAIL);
      const result = await cli('user:reset-password', '--email', ADMIN_EMAIL);
      expect(result.code).toBe(0);
      const password = /New password \(shown once\): (\S+)/.exec(result.output)?.[1] ?? '';
      expect(result.output.split(password).length - 1).toBe(1);
      const after = await staffByEmail(ADMIN_EMAIL);
      expect(after?.password_hash).not.toBe(admin?.password_hash);
      expect(await verifyPassword(after?.password_hash ?? null, password)).toBe(true);
    });

    it('refuses a reset without an email, for an unknown email, or with a short password', async () => {
      const before = await staffByEmail(ADMIN_EMAIL);
      expect((await cli('user:reset-password')).code).toBe(64);
      const unknown = await cli('user:reset-password', '--email', 'nobody@example.org');
      expect(unknown.code).toBe(67);
      expect(unknown.output).toContain('nobody@example.org');
      const short = await cli('user:reset-password', '--email', ADMIN_EMAIL, '--password', 'short');
      expect(short.code).toBe(65);
      expect(short.output).toMatch(/^--password:/);
      expect((await staffByEmail(ADMIN_EMAIL))?.password_hash).toBe(before?.password_hash);
    });
  });

  it('answers an unknown option with exit code 64 and the usage, not a stack trace', async () => {
    const result = await cli('user:create', '--bogus', 'x');
    expect(result.code).toBe(64);
    expect(result.output).toContain('Usage: npm run cli');
    expect(result.output).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command with exit code 64 and the usage', async () => {
    const result = await cli('user:delete', '--email', 'a@example.org');
    expect(result.code).toBe(64);
    expect(result.output).toContain('Unknown command "user:delete"');
    expect(result.output).toContain('Usage: npm run cli -- <command>');
  });

  it('prints the usage for no command (64) and for help (0)', async () => {
    const none = await cli();
    expect(none.code).toBe(64);
    expect(none.output).toContain('user:reset-password');
    expect((await cli('help')).code).toBe(0);
  });
});
