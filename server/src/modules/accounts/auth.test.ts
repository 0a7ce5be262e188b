import { SessionInfo } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { TEST_PASSWORD, buildLibrary, buildStaff, signIn } from '../../test/factories.ts';
import { buildTestApp, lastMail, readOutbox, resetTokenIn, type TestApp } from '../../test/test-app.ts';
import { THROTTLE_RULES } from './login-throttle.ts';

const login = (t: TestApp, email: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });

describe.each(dialectsUnderTest())('staff authentication on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    libraryId = (await buildLibrary(t.app.deps.db)).id;
  });
  afterAll(async () => t.close());

  it('signs in with email and password, sets a safe cookie and answers the session', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'supervisor' });
    const response = await login(t, staff.email.toUpperCase(), TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = SessionInfo.parse(response.json());
    expect(body.staff.email).toBe(staff.email);
    expect(body.abilities).toContain('desk.update');
    expect(body.abilities).not.toContain('staff.create');
    expect(JSON.stringify(body)).not.toContain('password');
    const cookie = response.cookies.find((c) => c.name === 'branchline_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();

    const session = await t.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { cookie: `branchline_session=${cookie?.value}` },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json().csrfToken).toBe(body.csrfToken);
    const row = await t.app.deps.db
      .selectFrom('staff')
      .select('last_login_at')
      .where('id', '=', staff.id)
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).toBe(t.clock.now().toISOString());
  });

  it('refuses a wrong password, an unknown email and a deactivated account with the same message', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const inactive = await buildStaff(t.app.deps.db, { library_id: libraryId, is_active: false });
    const answers = await Promise.all([
      login(t, staff.email, 'not the password', '10.0.1.1'),
      login(t, 'nobody@library.test', TEST_PASSWORD, '10.0.1.2'),
      login(t, inactive.email, TEST_PASSWORD, '10.0.1.3'),
    ]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toEqual({ error: { code: 'unauthenticated', message: 'Email or password is incorrect.' } });
      expect(answer.cookies).toHaveLength(0);
    }
  });

  it('locks an account after repeated failures, with a clear message, and lifts the lock after the period', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const { maxFailures, lockMinutes } = THROTTLE_RULES.account;
    for (let i = 0; i < maxFailures; i++) {
      expect((await login(t, staff.email, `wrong-${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
    }
    const locked = await login(t, staff.email, TEST_PASSWORD, '10.1.1.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('account_locked');
    expect(locked.json().error.message).toMatch(/Too many failed sign-in attempts for this account/);
    t.clock.advanceMinutes(lockMinutes + 1);
    expect((await login(t, staff.email, TEST_PASSWORD, '10.1.1.1')).statusCode).toBe(200);
  });

  it('throttles one address that guesses across many accounts', async () => {
    const ip = '10.2.0.1';
    for (let i = 0; i < THROTTLE_RULES.ip.maxFailures; i++) {
      await login(t, `guess-${i}@library.test`, 'wrong password', ip);
    }
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const refused = await login(t, staff.email, TEST_PASSWORD, ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect((await login(t, staff.email, TEST_PASSWORD, '10.2.0.2')).statusCode).toBe(200);
    t.clock.advanceMinutes(THROTTLE_RULES.ip.lockMinutes + 1);
  });

  it('ends a session after the idle limit and after the absolute limit', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const idle = await signIn(t.app, staff.email);
    const session = () => t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: idle.cookie } });
    t.clock.advanceMinutes(t.config.sessionIdleMinutes - 1);
    expect((await session()).statusCode).toBe(200);
    t.clock.advanceMinutes(t.config.sessionIdleMinutes - 1);
    expect((await session()).statusCode).toBe(200);
    t.clock.advanceMinutes(t.config.sessionIdleMinutes + 1);
    const expired = await session();
    expect(expired.statusCode).toBe(401);
    expect(expired.cookies.find((c) => c.name === 'branchline_session')?.value).toBe('');

    const busy = await signIn(t.app, staff.email);
    const steps = Math.ceil((t.config.sessionMaxHours * 60) / (t.config.sessionIdleMinutes / 2));
    let last = 200;
    for (let i = 0; i < steps; i++) {
      t.clock.advanceMinutes(t.config.sessionIdleMinutes / 2);
      last = (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: busy.cookie } }))
        .statusCode;
    }
    expect(last).toBe(401);
  });

  it('requires the CSRF token for state changes and signs out', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const session = await signIn(t.app, staff.email);
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: session.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_failed');
    const other = await signIn(t.app, staff.email);
    const crossed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': other.csrf },
    });
    expect(crossed.statusCode).toBe(403);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: session.headers });
    expect(out.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: session.cookie } })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: other.cookie } })).statusCode,
    ).toBe(200);
  });

  it('changes the password, ending the other sessions but keeping this one', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const here = await signIn(t.app, staff.email);
    const elsewhere = await signIn(t.app, staff.email);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details).toEqual([{ path: 'currentPassword', message: 'Not your current password' }]);
    const short = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details[0].path).toBe('newPassword');

    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' },
    });
    expect(ok.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: here.cookie } })).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: elsewhere.cookie } }))
        .statusCode,
    ).toBe(401);
    expect((await login(t, staff.email, TEST_PASSWORD, '10.3.0.1')).statusCode).toBe(401);
    expect((await login(t, staff.email, 'a brand new passphrase', '10.3.0.1')).statusCode).toBe(200);
  });

  it('resets a forgotten password by a single-use, expiring emailed link', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const before = readOutbox(t.outboxDir).length;
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      payload: { email: 'nobody@library.test' },
    });
    expect(unknown.statusCode).toBe(202);
    expect(readOutbox(t.outboxDir)).toHaveLength(before);

    const session = await signIn(t.app, staff.email);
    const requested = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      payload: { email: staff.email },
    });
    expect(requested.statusCode).toBe(202);
    const mail = await lastMail(t.outboxDir);
    expect(mail?.to).toBe(staff.email);
    expect(mail?.subject).toBe('Reset your Branchline password');
    expect(mail?.text).toContain(`${t.config.publicUrl}/staff/reset-password?token=`);
    const token = resetTokenIn(mail?.text ?? '');

    const confirm = (newPassword: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, newPassword } });
    expect((await confirm('my reset passphrase')).statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: session.cookie } })).statusCode,
    ).toBe(401);
    expect((await login(t, staff.email, 'my reset passphrase', '10.4.0.1')).statusCode).toBe(200);
    const reused = await confirm('another passphrase!');
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.details[0].path).toBe('token');

    await t.app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: staff.email } });
    const lateToken = resetTokenIn((await lastMail(t.outboxDir))?.text ?? '');
    t.clock.advanceMinutes(61);
    const expired = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/confirm',
      payload: { token: lateToken, newPassword: 'too late passphrase' },
    });
    expect(expired.statusCode).toBe(400);
    expect((await login(t, staff.email, 'my reset passphrase', '10.4.0.2')).statusCode).toBe(200);
  });

  it('deactivating a staff member ends their sessions at once', async () => {
    const admin = await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'admin' });
    const librarian = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const adminSession = await signIn(t.app, admin.email);
    const theirs = await signIn(t.app, librarian.email);
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${librarian.id}`,
      headers: adminSession.headers,
      payload: { isActive: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().isActive).toBe(false);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: theirs.cookie } })).statusCode,
    ).toBe(401);
    const rows = await t.app.deps.db
      .selectFrom('staff_sessions')
      .select('id_hash')
      .where('staff_id', '=', librarian.id)
      .execute();
    expect(rows).toEqual([]);
  });
});
