import { AuditPage, type AuditEntry } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildStaff,
  sessionFor,
  signIn,
  type SignedIn,
} from '../../test/factories.ts';
import { buildTestApp, lastMail, resetTokenIn, type TestApp } from '../../test/test-app.ts';
import type { DeskRow, LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { exportAudit } from './audit.service.ts';

describe.each(dialectsUnderTest())('the audit log on %s', (dialect) => {
  let t: TestApp;
  let library: LibraryRow;
  let other: LibraryRow;
  let desk: DeskRow;
  let adminRow: StaffRow;
  let supervisorRow: StaffRow;
  let librarianRow: StaffRow;
  let admin: SignedIn;
  let supervisor: SignedIn;
  let librarian: SignedIn;
  let otherAdmin: SignedIn;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    library = await buildLibrary(db, { name: 'Three Rivers' });
    other = await buildLibrary(db, { name: 'Elsewhere' });
    desk = await buildDesk(db, library.id, { name: 'Ask a Librarian' });
    adminRow = await buildStaff(db, { library_id: library.id, role: 'admin', display_name: 'Dana' });
    supervisorRow = await buildStaff(db, { library_id: library.id, role: 'supervisor', display_name: 'Marcus' });
    librarianRow = await buildStaff(db, { library_id: library.id, role: 'librarian', display_name: 'Sofia' });
    admin = await sessionFor(t.app, adminRow);
    supervisor = await sessionFor(t.app, supervisorRow);
    librarian = await sessionFor(t.app, librarianRow);
    otherAdmin = await sessionFor(t.app, await buildStaff(db, { library_id: other.id, role: 'admin' }));
  });
  afterAll(async () => t.close());

  const read = async (who: SignedIn, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/audit-log${query}`, headers: who.headers });
    expect(response.statusCode, response.body).toBe(200);
    return AuditPage.parse(response.json());
  };
  const call = (who: SignedIn, method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

  it('records what staff do through the API, with who did it and the record by its current name', async () => {
    expect((await call(admin, 'PATCH', `/api/desks/${desk.id}`, { ringTimeoutSeconds: 45 })).statusCode).toBe(200);
    t.clock.advanceMinutes(1);
    const chat = await buildConversation(t.app.deps.db, { library_id: library.id, desk_id: desk.id });
    expect((await call(supervisor, 'GET', `/api/conversations/${chat.id}`)).statusCode).toBe(200);

    const { items } = await read(admin, '?limit=2');
    expect(items.map(({ action, actor, subject }) => ({ action, actor, subject }))).toEqual([
      {
        action: 'conversation.viewed',
        actor: { kind: 'staff', staffId: supervisorRow.id, displayName: 'Marcus' },
        subject: { type: 'conversation', id: chat.id, label: 'Chat at Ask a Librarian' },
      },
      {
        action: 'desk.updated',
        actor: { kind: 'staff', staffId: adminRow.id, displayName: 'Dana' },
        subject: { type: 'desk', id: desk.id, label: 'Ask a Librarian' },
      },
    ]);
    expect(items[1]?.details).toEqual({ fields: ['ringTimeoutSeconds'] });
  });

  it('records a block with its length and scope, never the reason given', async () => {
    const chat = await buildConversation(t.app.deps.db, {
      library_id: library.id,
      desk_id: desk.id,
      status: 'active',
      assignee_id: librarianRow.id,
    });
    const reason = 'Threats <script>alert(1)</script> from ann@example.org';
    const blocked = await call(librarian, 'POST', `/api/conversations/${chat.id}/block`, {
      minutes: 60,
      reason,
      scope: 'network',
    });
    expect(blocked.statusCode, blocked.body).toBe(200);
    const [entry] = (await read(supervisor, `?action=patron.blocked&subjectId=${chat.id}`)).items;
    expect(entry).toMatchObject({
      action: 'patron.blocked',
      actor: { staffId: librarianRow.id },
      details: { minutes: 60, scope: 'network' },
    });
    expect(JSON.stringify(entry)).not.toMatch(/Threats|ann@example/);
  });

  it('names only the fields a change really changed, when a form sends them all', async () => {
    const current = (await call(admin, 'GET', `/api/desks/${desk.id}`)).json() as Record<string, unknown>;
    const { name, slug, mode, hours, waitThresholdSeconds, isActive } = current;
    const saved = await call(admin, 'PATCH', `/api/desks/${desk.id}`, {
      name,
      slug,
      description: 'Ask us anything',
      mode,
      hours,
      waitThresholdSeconds,
      ringTimeoutSeconds: 50,
      isActive,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const [entry] = (await read(admin, `?subjectId=${desk.id}&action=desk.updated`)).items;
    expect(entry?.details).toEqual({ fields: ['description', 'ringTimeoutSeconds'] });
  });

  it('records a role change with the old and new role', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: library.id, role: 'librarian' });
    expect((await call(admin, 'PATCH', `/api/staff/${staff.id}`, { role: 'supervisor' })).statusCode).toBe(200);
    const [entry] = (await read(admin, `?subjectType=staff&subjectId=${staff.id}`)).items;
    expect(entry).toMatchObject({
      action: 'staff.updated',
      details: { fields: ['role'], role: 'supervisor', previousRole: 'librarian' },
    });
  });

  it('files a password reset by link under the staff member’s library, as done by someone not signed in', async () => {
    const staff = await buildStaff(t.app.deps.db, { library_id: library.id, email: 'reset.me@library.test' });
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      payload: { email: 'reset.me@library.test' },
    });
    const mail = await lastMail(t.outboxDir);
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/confirm',
      payload: { token: resetTokenIn(mail?.text ?? ''), newPassword: 'a brand new passphrase' },
    });
    expect(confirmed.statusCode).toBe(204);
    const [entry] = (await read(admin, `?action=staff.password_reset&subjectId=${staff.id}`)).items;
    expect(entry?.actor).toEqual({ kind: 'anonymous', staffId: null, displayName: null });
    expect((await read(otherAdmin, `?action=staff.password_reset`)).items).toEqual([]);
  });

  it('puts a new library in its own log and in its creator’s', async () => {
    const created = await call(admin, 'POST', '/api/libraries', {
      name: 'Riverside <b>Annex</b>',
      slug: 'riverside-annex',
      timeZone: 'America/New_York',
      administrator: { name: 'Ria Annex', email: 'ria@annex.test' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    const [mine] = (await read(admin, '?action=library.created')).items;
    expect(mine?.subject).toEqual({ type: 'library', id, label: 'Riverside <b>Annex</b>' });
    const newAdmin = await t.app.deps.db
      .selectFrom('staff')
      .selectAll()
      .where('email', '=', 'ria@annex.test')
      .executeTakeFirstOrThrow();
    const theirs = await read(await sessionFor(t.app, newAdmin));
    expect(theirs.items.map((e) => [e.action, e.actor.kind, e.actor.displayName]).sort()).toEqual([
      ['library.created', 'staff', 'Dana'],
      ['staff.created', 'system', null],
    ]);
  });

  it('shows each library only its own entries, whatever the filter asks for', async () => {
    const { items } = await read(otherAdmin);
    expect(items.every((e) => e.subject.id !== desk.id && e.actor.staffId !== adminRow.id)).toBe(true);
    expect((await read(otherAdmin, `?subjectId=${desk.id}`)).items).toEqual([]);
    expect((await read(otherAdmin, `?actorId=${adminRow.id}`)).items).toEqual([]);
  });

  it('lets administrators and supervisors read it, and nobody else', async () => {
    expect((await call(librarian, 'GET', '/api/audit-log')).statusCode).toBe(403);
    const partner = await sessionFor(
      t.app,
      await buildStaff(t.app.deps.db, { library_id: library.id, role: 'partner' }),
    );
    expect((await call(partner, 'GET', '/api/audit-log')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/audit-log' })).statusCode).toBe(401);
    const abilities = async (who: SignedIn) =>
      ((await call(who, 'GET', '/api/auth/session')).json() as { abilities: string[] }).abilities;
    expect(await abilities(supervisor)).toContain('audit.read');
    expect(await abilities(librarian)).not.toContain('audit.read');
  });

  it('pages through entries made in the same instant without skipping or repeating any', async () => {
    const db = t.app.deps.db;
    const paged = await buildLibrary(db);
    const pagedAdmin = await buildStaff(db, { library_id: paged.id, role: 'admin' });
    const session = await sessionFor(t.app, pagedAdmin);
    const desks: string[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await call(session, 'POST', `/api/libraries/${paged.id}/desks`, {
        name: `Desk ${i}`,
        slug: `desk-${i}`,
      });
      expect(response.statusCode, response.body).toBe(201);
      desks.push((response.json() as { id: string }).id);
      if (i === 3) t.clock.advanceMinutes(1);
    }
    const seen: AuditEntry[] = [];
    let before: string | null = '';
    while (before !== null) {
      const page: AuditPage = await read(session, `?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      seen.push(...page.items);
      before = page.nextBefore;
    }
    expect(seen.map((e) => e.subject.id).sort()).toEqual([...desks].sort());
    expect(seen.map((e) => e.at)).toEqual([...seen.map((e) => e.at)].sort().reverse());
    // The later minute comes first.
    expect(seen.slice(0, 3).map((e) => e.subject.label)).toEqual(
      expect.arrayContaining(['Desk 4', 'Desk 5', 'Desk 6']),
    );
  });

  it('filters by time: from an instant, and before another', async () => {
    const db = t.app.deps.db;
    const timed = await buildLibrary(db);
    const timedAdmin = await buildStaff(db, { library_id: timed.id, role: 'admin' });
    const start = t.clock.now().toISOString();
    t.clock.set('2026-05-01T10:00:00.000Z');
    await call(await sessionFor(t.app, timedAdmin), 'PATCH', `/api/libraries/${timed.id}`, { name: 'Morning name' });
    t.clock.set('2026-05-01T14:00:00.000Z');
    const session = await sessionFor(t.app, timedAdmin);
    await call(session, 'PATCH', `/api/libraries/${timed.id}`, { name: 'Afternoon name' });
    const at = async (query: string) => (await read(session, query)).items.map((e) => e.at);
    expect(await at('?since=2026-05-01T12:00:00Z')).toEqual(['2026-05-01T14:00:00.000Z']);
    expect(await at('?until=2026-05-01T12:00:00Z')).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(await at('?since=2026-05-01T10:00:00.000Z&until=2026-05-01T14:00:00.000Z')).toEqual([
      '2026-05-01T10:00:00.000Z',
    ]);
    t.clock.set(start);
  });

  it.each([
    ['an unknown action', '?action=staff.deleted'],
    ['a malformed position', '?before=yesterday'],
    ['a position with SQL in it', `?before=${encodeURIComponent("2026-01-01T00:00:00Z_' or 1=1 --")}`],
    ['a start after the end', '?since=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z'],
    ['a page of none', '?limit=0'],
    ['a page too large', '?limit=500'],
    ['an unknown parameter', '?libraryId=' + '0'.repeat(8)],
    ['a malformed staff id', '?actorId=<script>'],
  ])('refuses %s with a validation error', async (_name, query) => {
    const response = await call(admin, 'GET', `/api/audit-log${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('downloads the matching entries as CSV, with formulas defused and text quoted', async () => {
    const db = t.app.deps.db;
    const csvLibrary = await buildLibrary(db);
    const session = await sessionFor(t.app, await buildStaff(db, { library_id: csvLibrary.id, role: 'admin' }));
    const hostile = '=HYPERLINK("http://evil.example","Click, now")';
    const created = await call(session, 'POST', `/api/libraries/${csvLibrary.id}/desks`, {
      name: hostile,
      slug: 'formula',
    });
    expect(created.statusCode, created.body).toBe(201);
    await call(session, 'POST', `/api/libraries/${csvLibrary.id}/desks`, { name: 'Plain desk', slug: 'plain' });

    const response = await call(session, 'GET', '/api/audit-log/export?action=desk.created');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="branchline-audit-log-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.headers['x-branchline-truncated']).toBe('false');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('at_utc,actor_kind,actor_id,actor_name,action,subject_type,subject_id,subject_name,details');
    expect(lines.filter((l) => l.includes('desk.created'))).toHaveLength(2);
    // The name starts with "=": it is prefixed so a spreadsheet shows it rather than running it.
    expect(response.body).toContain(`"'=HYPERLINK(""http://evil.example"",""Click, now"")"`);
    expect(response.body).not.toContain(',=HYPERLINK');
    expect(lines.at(-1)).toBe('');

    const none = await call(session, 'GET', '/api/audit-log/export?action=patron.blocked');
    expect(none.body.split('\r\n').filter(Boolean)).toHaveLength(1);
    expect((await call(session, 'GET', '/api/audit-log/export?before=x')).statusCode).toBe(400);
    expect((await call(librarian, 'GET', '/api/audit-log/export')).statusCode).toBe(403);
  });

  it('reads a long log for a download page by page, and says when it stopped at the most it holds', async () => {
    const db = t.app.deps.db;
    const paged = await buildLibrary(db);
    const pagedAdmin = await buildStaff(db, { library_id: paged.id, role: 'admin' });
    const session = await sessionFor(t.app, pagedAdmin);
    for (let i = 0; i < 7; i++)
      await call(session, 'POST', `/api/libraries/${paged.id}/desks`, { name: `Desk ${i}`, slug: `d-${i}` });
    const actor = { kind: 'staff', staffId: pagedAdmin.id, libraryId: paged.id, role: 'admin' } as const;
    const query = { action: 'desk.created' } as const;
    const rowsOf = (csv: string) => csv.split('\r\n').filter((l) => l.includes('desk.created'));
    const all = await exportAudit(t.app.deps, actor, query, { max: 100, page: 2 });
    expect(all.truncated).toBe(false);
    expect(new Set(rowsOf(all.csv)).size).toBe(7);
    const some = await exportAudit(t.app.deps, actor, query, { max: 5, page: 2 });
    expect(some.truncated).toBe(true);
    expect(rowsOf(some.csv)).toEqual(rowsOf(all.csv).slice(0, 5));
  });

  it('leaves a record’s name out once the record is gone', async () => {
    const db = t.app.deps.db;
    const staff = await buildStaff(db, { library_id: library.id });
    await call(admin, 'PATCH', `/api/staff/${staff.id}`, { displayName: 'Temporary' });
    await db.deleteFrom('audit_log').where('actor_staff_id', '=', staff.id).execute();
    await db.deleteFrom('staff').where('id', '=', staff.id).execute();
    const [entry] = (await read(admin, `?subjectId=${staff.id}`)).items;
    expect(entry?.subject).toEqual({ type: 'staff', id: staff.id, label: null });
  });

  it('records sign-ins, and refused ones for real accounts only', async () => {
    const signedIn = await signIn(t.app, adminRow.email);
    const [latest] = (await read(signedIn, `?action=staff.signed_in&actorId=${adminRow.id}`)).items;
    expect(latest).toMatchObject({
      action: 'staff.signed_in',
      actor: { kind: 'staff', staffId: adminRow.id },
      subject: { type: 'staff', id: adminRow.id },
    });
    const attempt = (email: string, password: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    expect((await attempt(librarianRow.email, 'not the password at all')).statusCode).toBe(401);
    expect((await attempt('nobody.here@library.test', 'not the password at all')).statusCode).toBe(401);
    const refused = (await read(admin, '?action=staff.sign_in_refused')).items;
    expect(refused.map((e) => [e.actor.kind, e.subject.id, e.details])).toEqual([
      ['anonymous', librarianRow.id, { reason: 'wrong_password' }],
    ]);
    const everywhere = await t.app.deps.db
      .selectFrom('audit_log')
      .select('details_json')
      .where('action', '=', 'staff.sign_in_refused')
      .execute();
    expect(JSON.stringify(everywhere)).not.toContain('nobody.here');
    expect(everywhere).toHaveLength(1);
  });

  it('says which refused sign-in locked the account', async () => {
    const db = t.app.deps.db;
    const lockable = await buildStaff(db, { library_id: library.id, email: 'lock.me@library.test' });
    for (let i = 0; i < 6; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'lock.me@library.test', password: `wrong password ${i}` },
      });
    const refused = (await read(admin, `?action=staff.sign_in_refused&subjectId=${lockable.id}`)).items;
    // Five failures lock the account; the sixth attempt is refused by the lock before any check, unrecorded.
    expect(refused).toHaveLength(5);
    expect(refused.filter((e) => e.details['lockedMinutes'] === 15)).toHaveLength(1);
  });
});
