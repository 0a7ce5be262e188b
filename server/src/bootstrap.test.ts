import { STAFF_ROLES } from '@branchline/protocol';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from './bootstrap.ts';
import { DEMO_PASSWORD } from './modules/demo/demo-library.ts';
import type { Config } from './platform/config.ts';
import { dialectsUnderTest } from './test/databases.ts';
import { buildLibrary } from './test/factories.ts';
import { buildTestApp, type TestApp } from './test/test-app.ts';

const ADMIN_EMAIL = 'director@library.example';
const ADMIN_PASSWORD = 'director-password-123';

describe.each(dialectsUnderTest())('bootstrap on %s', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function freshApp(config: Partial<Config>): Promise<TestApp> {
    const t = await buildTestApp(dialect, {
      config: { demo: undefined, adminEmail: undefined, adminPassword: undefined, ...config },
    });
    apps.push(t);
    return t;
  }

  async function counts(app: FastifyInstance) {
    const db = app.deps.db;
    const n = async (table: 'libraries' | 'branches' | 'desks' | 'staff' | 'audit_log') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      libraries: await n('libraries'),
      branches: await n('branches'),
      desks: await n('desks'),
      staff: await n('staff'),
      audit: await n('audit_log'),
    };
  }

  const staffRows = (app: FastifyInstance) => app.deps.db.selectFrom('staff').selectAll().orderBy('email').execute();

  async function expectSignIn(app: FastifyInstance, email: string, password: string) {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { staff: { email: string } }).staff.email).toBe(email);
  }

  it('seeds the demo library by default and lists the demo logins', async () => {
    const t = await freshApp({});
    const { notice } = await bootstrap(t.app.deps);

    expect(await counts(t.app)).toMatchObject({ libraries: 1, branches: 3, desks: 5, staff: 8 });
    const staff = await staffRows(t.app);
    expect(new Set(staff.map((s) => s.role))).toEqual(new Set(STAFF_ROLES));
    const library = await t.app.deps.db.selectFrom('libraries').selectAll().executeTakeFirstOrThrow();
    expect(library.name).toBe('Three Rivers Public Library');
    expect(staff.every((s) => s.library_id === library.id && s.is_active)).toBe(true);

    const text = notice.join('\n');
    for (const person of staff) expect(text).toContain(person.email);
    expect(text).toContain(DEMO_PASSWORD);
    const admin = staff.find((s) => s.role === 'admin');
    await expectSignIn(t.app, admin?.email ?? '', DEMO_PASSWORD);
  });

  it('with the demo off and no admin configured, creates one administrator whose printed password signs in', async () => {
    const t = await freshApp({ demo: false });
    const { notice } = await bootstrap(t.app.deps);

    expect(await counts(t.app)).toMatchObject({ libraries: 1, branches: 0, desks: 0, staff: 1 });
    const library = await t.app.deps.db.selectFrom('libraries').selectAll().executeTakeFirstOrThrow();
    expect(library).toMatchObject({ name: t.config.libraryName, time_zone: t.config.timeZone });
    const [admin] = await staffRows(t.app);
    expect(admin).toMatchObject({ role: 'admin', library_id: library.id, is_active: true });

    const text = notice.join('\n');
    const email = /email:\s+(\S+)/.exec(text)?.[1];
    const password = /password:\s+(\S+)/.exec(text)?.[1] ?? '';
    expect(email).toBe(admin?.email);
    expect(password.length).toBeGreaterThanOrEqual(12);
    await expectSignIn(t.app, admin?.email ?? '', password);
  });

  it('with the demo off and an admin configured, creates that administrator without printing a password', async () => {
    const t = await freshApp({ demo: false, adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
    const { notice } = await bootstrap(t.app.deps);

    expect(await counts(t.app)).toMatchObject({ libraries: 1, branches: 0, desks: 0, staff: 1 });
    expect(await staffRows(t.app)).toEqual([
      expect.objectContaining({ email: ADMIN_EMAIL, role: 'admin', is_active: true }),
    ]);
    const text = notice.join('\n');
    expect(text).toContain(ADMIN_EMAIL);
    expect(text).not.toContain(ADMIN_PASSWORD);
    expect(text).not.toMatch(/password:/i);
    await expectSignIn(t.app, ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  it('with the demo on and an admin configured, seeds the demo and adds that administrator to it', async () => {
    const t = await freshApp({ adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
    const { notice } = await bootstrap(t.app.deps);
    expect(await counts(t.app)).toMatchObject({ libraries: 1, branches: 3, desks: 5, staff: 9 });
    const library = await t.app.deps.db.selectFrom('libraries').select('id').executeTakeFirstOrThrow();
    expect(
      await t.app.deps.db.selectFrom('staff').select('library_id').where('email', '=', ADMIN_EMAIL).executeTakeFirst(),
    ).toEqual({ library_id: library.id });
    expect(notice.join('\n')).toContain(ADMIN_EMAIL);
    expect(notice.join('\n')).not.toContain(ADMIN_PASSWORD);
  });

  it.each([
    ['the demo', {}],
    ['a configured admin', { demo: false, adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD }],
  ] as const)('changes nothing when called a second time (after %s)', async (_case, config) => {
    const t = await freshApp(config);
    await bootstrap(t.app.deps);
    const before = await counts(t.app);
    const staffBefore = await staffRows(t.app);

    expect(await bootstrap(t.app.deps)).toEqual({ notice: [] });
    expect(await counts(t.app)).toEqual(before);
    expect(await staffRows(t.app)).toEqual(staffBefore);
  });

  it('makes sure an administrator exists when a library exists but has no staff', async () => {
    const t = await freshApp({});
    await buildLibrary(t.app.deps.db, { name: 'Half-installed Library' });
    const { notice } = await bootstrap(t.app.deps);
    const staff = await staffRows(t.app);
    expect(staff.filter((s) => s.role === 'admin' && s.is_active)).toHaveLength(1);
    expect(notice.length).toBeGreaterThan(0);
  });
});
