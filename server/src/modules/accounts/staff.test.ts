import { Staff } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildLibrary, buildStaff, signIn, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, lastMail, resetTokenIn, type TestApp } from '../../test/test-app.ts';

describe.each(dialectsUnderTest())('staff management on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let admin: SignedIn;
  let adminId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    libraryId = (await buildLibrary(t.app.deps.db)).id;
    const row = await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'admin' });
    adminId = row.id;
    admin = await signIn(t.app, row.email);
  });
  afterAll(async () => t.close());

  const create = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/staff', headers: admin.headers, payload });

  it('adds a staff member with a password who can then sign in', async () => {
    const response = await create({
      name: 'Rosa Díaz',
      displayName: 'Rosa',
      email: 'Rosa.Diaz@Library.test',
      role: 'librarian',
      languages: ['es', 'en'],
      password: 'a long passphrase!',
    });
    expect(response.statusCode).toBe(201);
    const staff = Staff.parse(response.json());
    expect(staff).toMatchObject({
      email: 'rosa.diaz@library.test',
      role: 'librarian',
      languages: ['es', 'en'],
      isActive: true,
      libraryId,
    });
    expect(response.body).not.toContain('hash');
    await expect(signIn(t.app, 'rosa.diaz@library.test', 'a long passphrase!')).resolves.toBeDefined();
    const audit = await t.app.deps.db.selectFrom('audit_log').selectAll().where('subject_id', '=', staff.id).execute();
    expect(audit.map((a) => [a.action, a.actor_staff_id]).sort()).toEqual([
      ['staff.created', adminId],
      ['staff.signed_in', staff.id],
    ]);
  });

  it('emails a welcome link when no password is given, and the link sets one', async () => {
    const response = await create({ name: 'Sam Okafor', email: 'sam@library.test', role: 'supervisor' });
    expect(response.statusCode).toBe(201);
    expect(response.json().displayName).toBe('Sam');
    const mail = await lastMail(t.outboxDir);
    expect(mail?.to).toBe('sam@library.test');
    expect(mail?.subject).toBe('Your Branchline staff account');
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/confirm',
      payload: { token: resetTokenIn(mail?.text ?? ''), newPassword: 'sam chose this one' },
    });
    expect(confirmed.statusCode).toBe(204);
    await expect(signIn(t.app, 'sam@library.test', 'sam chose this one')).resolves.toBeDefined();
  });

  it('refuses a duplicate email with 409 naming the field, whatever its case', async () => {
    await create({ name: 'First', email: 'twin@library.test', role: 'librarian', password: 'a long passphrase!' });
    const before = await t.app.deps.db.selectFrom('staff').select('id').execute();
    const response = await create({
      name: 'Second',
      email: 'TWIN@library.test',
      role: 'librarian',
      password: 'a long passphrase!',
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'conflict', details: [{ path: 'email' }] });
    expect(await t.app.deps.db.selectFrom('staff').select('id').execute()).toHaveLength(before.length);
  });

  it('rejects invalid fields with their paths and changes nothing', async () => {
    const before = await t.app.deps.db.selectFrom('staff').select('id').execute();
    const response = await create({
      name: '',
      email: 'not-an-email',
      role: 'wizard',
      languages: ['english!!'],
      password: 'short',
    });
    expect(response.statusCode).toBe(400);
    const paths = (response.json().error.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(['email', 'languages.0', 'name', 'password', 'role']);
    expect(await t.app.deps.db.selectFrom('staff').select('id').execute()).toHaveLength(before.length);
  });

  it('stores hostile names verbatim as text', async () => {
    const name = '<img src=x onerror=alert(1)> "Bobby" Tables';
    const response = await create({
      name,
      email: 'bobby@library.test',
      role: 'librarian',
      password: 'a long passphrase!',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().name).toBe(name);
    const read = await t.app.inject({ method: 'GET', url: `/api/staff/${response.json().id}`, headers: admin.headers });
    expect(read.json().name).toBe(name);
    expect(read.headers['content-type']).toContain('application/json');
  });

  it('keeps at least one active administrator', async () => {
    const library = await buildLibrary(t.app.deps.db);
    const only = await buildStaff(t.app.deps.db, { library_id: library.id, role: 'admin' });
    const session = await signIn(t.app, only.email);
    for (const payload of [{ isActive: false }, { role: 'librarian' }]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/staff/${only.id}`,
        headers: session.headers,
        payload,
      });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toBe('A library must keep at least one active administrator.');
    }
    const second = await buildStaff(t.app.deps.db, { library_id: library.id, role: 'admin' });
    const demoted = await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${second.id}`,
      headers: session.headers,
      payload: { role: 'supervisor' },
    });
    expect(demoted.statusCode).toBe(200);
    expect(demoted.json().role).toBe('supervisor');
  });

  it('lists only the staff of the caller’s library', async () => {
    const other = await buildStaff(t.app.deps.db);
    const response = await t.app.inject({ method: 'GET', url: '/api/staff', headers: admin.headers });
    const items = response.json().items as Array<{ id: string; libraryId: string }>;
    expect(items.length).toBeGreaterThan(1);
    expect(items.every((s) => s.libraryId === libraryId)).toBe(true);
    expect(items.map((s) => s.id)).not.toContain(other.id);
  });
});
