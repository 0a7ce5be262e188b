import { Branch, Desk, ErrorBody, Library, listOf, type Hours } from '@branchline/protocol';
import { z } from 'zod';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildBranch, buildDesk, buildLibrary, buildStaff, sessionFor, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';

const iv = (opens: string, closes: string) => ({ opens, closes });
const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const HOURS: Hours = {
  weekly: { ...closedWeek, mon: [iv('09:00', '12:00'), iv('13:00', '17:30')], sat: [iv('10:00', '14:00')] },
  exceptions: [
    { date: '2026-12-24', note: 'Christmas Eve', intervals: [iv('10:00', '14:00')] },
    { date: '2026-12-25', note: 'Christmas Day', intervals: [] },
  ],
};
/** Any list answer, read only for its ids. */
const IdList = listOf(z.object({ id: z.string() }));
const EVIL = '<script>alert(1)</script> & "Friends"';
type Method = 'GET' | 'POST' | 'PATCH';

describe.each(dialectsUnderTest())('libraries, branches and desks API on %s', (dialect) => {
  let t: TestApp;
  let lib: LibraryRow;
  let otherLib: LibraryRow;
  let adminRow: StaffRow;
  const as: Record<'admin' | 'supervisor' | 'librarian' | 'partner' | 'otherAdmin', SignedIn> = {} as never;

  const call = (who: SignedIn | undefined, method: Method, url: string, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload === undefined ? {} : { payload }) });
  const inLib = (suffix = '') => `/api/libraries/${lib.id}${suffix}`;
  const errorOf = (res: LightMyRequestResponse) => ErrorBody.parse(res.json()).error;
  const rowOf = (table: 'libraries' | 'branches' | 'desks', id: string) =>
    t.app.deps.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  const TABLE = { library: 'libraries', branch: 'branches', desk: 'desks' } as const;
  /** The library itself, or a fresh branch or desk of it, with its URL and its row as stored now. */
  async function recordOf(kind: keyof typeof TABLE) {
    const db = t.app.deps.db;
    const table = TABLE[kind];
    const id =
      kind === 'library'
        ? lib.id
        : (kind === 'branch' ? await buildBranch(db, lib.id) : await buildDesk(db, lib.id)).id;
    return { table, id, url: `/api/${table}/${id}`, before: await rowOf(table, id) };
  }
  const readUrls = (branchId: string, deskId: string) => [
    inLib('/branches'),
    inLib('/desks'),
    `/api/branches/${branchId}`,
    `/api/desks/${deskId}`,
  ];
  const codesOf = (responses: LightMyRequestResponse[]) => responses.map((r) => [r.statusCode, errorOf(r).code]);
  const auditOf = (subjectId: string) =>
    t.app.deps.db.selectFrom('audit_log').selectAll().where('subject_id', '=', subjectId).orderBy('at').execute();

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    lib = await buildLibrary(db, {
      name: 'Riverbend Library',
      contact_email: 'ask@riverbend.example',
      contact_phone: '555-0100',
      website_url: 'https://riverbend.example',
    });
    otherLib = await buildLibrary(db, { name: 'Other Library' });
    adminRow = await buildStaff(db, { library_id: lib.id, role: 'admin' });
    as.admin = await sessionFor(t.app, adminRow);
    as.supervisor = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'supervisor' }));
    as.librarian = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'librarian' }));
    as.partner = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'partner' }));
    as.otherAdmin = await sessionFor(t.app, await buildStaff(db, { library_id: otherLib.id, role: 'admin' }));
  });
  afterAll(() => t.close());

  it('keeps the host names of a library’s own pages: lowercased, once each, and never another library’s', async () => {
    const saved = await call(as.admin, 'PATCH', inLib(), {
      hostnames: ['Ask.Riverbend.example', 'ask.riverbend.example', 'chat.riverbend.example'],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(Library.parse(saved.json()).hostnames).toEqual(['ask.riverbend.example', 'chat.riverbend.example']);

    for (const bad of [
      'https://ask.riverbend.example',
      'ask.riverbend.example:8443',
      'ask.riverbend.example/chat',
      '-x.example',
      'a b.example',
      '<script>',
    ]) {
      const refused = await call(as.admin, 'PATCH', inLib(), { hostnames: ['fine.example', bad] });
      expect(refused.statusCode, bad).toBe(400);
      expect((errorOf(refused).details as Array<{ path: string }>).map((f) => f.path)).toEqual(['hostnames.1']);
    }
    const before = await rowOf('libraries', otherLib.id);
    const taken = await call(as.otherAdmin, 'PATCH', `/api/libraries/${otherLib.id}`, {
      hostnames: ['other.example', 'CHAT.riverbend.example'],
    });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken)).toMatchObject({
      code: 'conflict',
      details: [{ path: 'hostnames.1', message: 'Already used by Riverbend Library' }],
    });
    expect(await rowOf('libraries', otherLib.id)).toEqual(before);
    // Its own names again are no conflict; clearing them frees them for others.
    expect((await call(as.admin, 'PATCH', inLib(), { hostnames: ['chat.riverbend.example'] })).statusCode).toBe(200);
    expect((await call(as.admin, 'PATCH', inLib(), { hostnames: [] })).statusCode).toBe(200);
    const freed = await call(as.otherAdmin, 'PATCH', `/api/libraries/${otherLib.id}`, {
      hostnames: ['chat.riverbend.example'],
    });
    expect(freed.statusCode).toBe(200);
    expect((await call(as.otherAdmin, 'PATCH', `/api/libraries/${otherLib.id}`, { hostnames: [] })).statusCode).toBe(
      200,
    );
  });

  it('lets an admin read and edit their library, and records it in the audit log', async () => {
    const read = await call(as.admin, 'GET', inLib());
    expect(read.statusCode).toBe(200);
    expect(Library.parse(read.json())).toMatchObject({
      id: lib.id,
      name: 'Riverbend Library',
      timeZone: 'America/New_York',
    });

    const res = await call(as.admin, 'PATCH', inLib(), { timeZone: 'America/Chicago', contactPhone: '555-0199' });
    expect(res.statusCode).toBe(200);
    expect(Library.parse(res.json())).toMatchObject({
      id: lib.id,
      timeZone: 'America/Chicago',
      contactPhone: '555-0199',
      updatedAt: t.clock.now().toISOString(),
    });
    expect(Library.parse((await call(as.admin, 'GET', inLib())).json()).timeZone).toBe('America/Chicago');

    const audit = await auditOf(lib.id);
    expect(audit.map((a) => a.action)).toContain('library.updated');
    expect(audit.find((a) => a.action === 'library.updated')?.actor_staff_id).toBe(adminRow.id);
  });

  it('lets an admin create a library with its own first administrator, and audits it', async () => {
    const without = await call(as.admin, 'POST', '/api/libraries', {
      name: 'Nobody',
      slug: `nobody-${dialect}`,
      timeZone: 'UTC',
    });
    expect(without.statusCode).toBe(400);
    expect(without.json().error.details).toEqual([{ path: 'administrator', message: expect.any(String) }]);
    expect(
      await t.app.deps.db
        .selectFrom('libraries')
        .select('id')
        .where('slug', '=', `nobody-${dialect}`)
        .executeTakeFirst(),
    ).toBeUndefined();

    const res = await call(as.admin, 'POST', '/api/libraries', {
      name: 'Lakeside Library',
      slug: `lakeside-${dialect}`,
      timeZone: 'Pacific/Auckland',
      administrator: { name: 'Aroha Ngata', email: `aroha-${dialect}@lakeside.example` },
    });
    expect(res.statusCode).toBe(201);
    const head = await t.app.deps.db
      .selectFrom('staff')
      .selectAll()
      .where('email', '=', `aroha-${dialect}@lakeside.example`)
      .executeTakeFirstOrThrow();
    expect(head).toMatchObject({ library_id: res.json().id, role: 'admin', password_hash: null });

    const clash = await call(as.admin, 'POST', '/api/libraries', {
      name: 'Second',
      slug: `second-${dialect}`,
      timeZone: 'UTC',
      administrator: { name: 'Again', email: `aroha-${dialect}@lakeside.example` },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.details[0].path).toBe('administrator.email');
    expect(
      await t.app.deps.db
        .selectFrom('libraries')
        .select('id')
        .where('slug', '=', `second-${dialect}`)
        .executeTakeFirst(),
    ).toBeUndefined();
    const created = Library.parse(res.json());
    expect(created).toMatchObject({
      name: 'Lakeside Library',
      slug: `lakeside-${dialect}`,
      timeZone: 'Pacific/Auckland',
      contactEmail: '',
      websiteUrl: '',
    });
    expect((await rowOf('libraries', created.id))?.time_zone).toBe('Pacific/Auckland');
    // In the new library's log, and in the log of the library whose administrator created it.
    expect((await auditOf(created.id)).map((a) => [a.action, a.library_id]).sort()).toEqual(
      [
        ['library.created', created.id],
        ['library.created', lib.id],
      ].sort(),
    );
  });

  it('lists only the libraries, branches and desks of the caller’s library', async () => {
    const ours = await buildBranch(t.app.deps.db, lib.id);
    const theirs = await buildBranch(t.app.deps.db, otherLib.id);
    const theirDesk = await buildDesk(t.app.deps.db, otherLib.id);

    const itemsOf = async (who: SignedIn, url: string) => IdList.parse((await call(who, 'GET', url)).json()).items;
    expect((await itemsOf(as.admin, '/api/libraries')).map((l) => l.id)).toEqual([lib.id]);
    expect((await itemsOf(as.otherAdmin, '/api/libraries')).map((l) => l.id)).toEqual([otherLib.id]);
    const branches = listOf(Branch).parse((await call(as.admin, 'GET', inLib('/branches'))).json()).items;
    expect(branches.map((b) => b.id)).toContain(ours.id);
    expect(branches.every((b) => b.libraryId === lib.id)).toBe(true);
    expect(branches.map((b) => b.id)).not.toContain(theirs.id);
    expect((await itemsOf(as.admin, inLib('/desks'))).map((d) => d.id)).not.toContain(theirDesk.id);
  });

  it('creates, reads and updates a branch with weekly hours and exceptions round-tripping', async () => {
    const created = await call(as.admin, 'POST', inLib('/branches'), {
      name: 'North Branch',
      address: '1 Elm St',
      hours: HOURS,
    });
    expect(created.statusCode).toBe(201);
    const branch = Branch.parse(created.json());
    expect(branch).toMatchObject({
      libraryId: lib.id,
      name: 'North Branch',
      address: '1 Elm St',
      phone: '',
      isActive: true,
      hours: HOURS,
    });

    const read = await call(as.librarian, 'GET', `/api/branches/${branch.id}`);
    expect(read.statusCode).toBe(200);
    expect(Branch.parse(read.json()).hours).toEqual(HOURS);

    const newHours: Hours = {
      weekly: { ...HOURS.weekly, sun: [iv('12:00', '16:00')] },
      exceptions: [{ date: '2027-01-01', note: "New Year's Day", intervals: [] }],
    };
    const updated = await call(as.admin, 'PATCH', `/api/branches/${branch.id}`, { hours: newHours, isActive: false });
    expect(updated.statusCode).toBe(200);
    expect(Branch.parse(updated.json())).toMatchObject({ name: 'North Branch', isActive: false, hours: newHours });
    expect(Branch.parse((await call(as.admin, 'GET', `/api/branches/${branch.id}`)).json()).hours).toEqual(newHours);
    expect((await auditOf(branch.id)).map((a) => a.action)).toEqual(['branch.created', 'branch.updated']);
  });

  it('creates, reads and updates a desk', async () => {
    const created = await call(as.admin, 'POST', inLib('/desks'), {
      name: 'Homework Help',
      slug: 'homework',
      hours: HOURS,
    });
    expect(created.statusCode).toBe(201);
    const desk = Desk.parse(created.json());
    expect(desk).toMatchObject({
      libraryId: lib.id,
      slug: 'homework',
      mode: 'claim',
      description: '',
      isActive: true,
      hours: HOURS,
    });

    const updated = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, {
      mode: 'assign',
      description: 'After school',
    });
    expect(updated.statusCode).toBe(200);
    expect(Desk.parse(updated.json())).toMatchObject({
      slug: 'homework',
      mode: 'assign',
      description: 'After school',
      hours: HOURS,
    });
    expect(Desk.parse((await call(as.librarian, 'GET', `/api/desks/${desk.id}`)).json()).mode).toBe('assign');

    const audit = await auditOf(desk.id);
    expect(audit.map((a) => a.action)).toEqual(['desk.created', 'desk.updated']);
    expect(audit[1]?.details_json).toEqual({ fields: expect.arrayContaining(['mode', 'description']) });
  });

  it.each([
    ['library', 'GET'],
    ['library', 'PATCH'],
    ['branch', 'GET'],
    ['branch', 'PATCH'],
    ['desk', 'GET'],
    ['desk', 'PATCH'],
  ] as const)('answers 404 to another library’s admin for a %s (%s) and changes nothing', async (kind, method) => {
    const { table, id, url, before } = await recordOf(kind);
    const res = await call(as.otherAdmin, method, url, method === 'PATCH' ? { name: 'Taken over' } : undefined);
    expect(codesOf([res])).toEqual([[404, 'not_found']]);
    expect(await rowOf(table, id)).toEqual(before);
  });

  it('answers 404 to another library’s admin for this library’s lists and creations, creating nothing', async () => {
    for (const path of ['branches', 'desks']) {
      expect((await call(as.otherAdmin, 'GET', inLib(`/${path}`))).statusCode).toBe(404);
    }
    const branch = await call(as.otherAdmin, 'POST', inLib('/branches'), { name: 'Sneaky Branch' });
    const desk = await call(as.otherAdmin, 'POST', inLib('/desks'), { name: 'Sneaky Desk', slug: 'sneaky' });
    expect([branch.statusCode, desk.statusCode]).toEqual([404, 404]);
    const db = t.app.deps.db;
    expect(await db.selectFrom('branches').select('id').where('name', '=', 'Sneaky Branch').execute()).toEqual([]);
    expect(await db.selectFrom('desks').select('id').where('slug', '=', 'sneaky').execute()).toEqual([]);
  });

  it('lets a supervisor manage desks but not branches or the library', async () => {
    const created = await call(as.supervisor, 'POST', inLib('/desks'), { name: 'Genealogy', slug: 'genealogy' });
    expect(created.statusCode).toBe(201);
    const desk = Desk.parse(created.json());
    const renamed = await call(as.supervisor, 'PATCH', `/api/desks/${desk.id}`, { name: 'Family History' });
    expect(renamed.statusCode).toBe(200);

    const branch = await buildBranch(t.app.deps.db, lib.id);
    const libraryBefore = await rowOf('libraries', lib.id);
    const refused = [
      await call(as.supervisor, 'POST', inLib('/branches'), { name: 'Supervisor Branch' }),
      await call(as.supervisor, 'PATCH', `/api/branches/${branch.id}`, { name: 'Renamed' }),
      await call(as.supervisor, 'PATCH', inLib(), { name: 'Renamed' }),
      await call(as.supervisor, 'POST', '/api/libraries', { name: 'Mine', slug: 'mine', timeZone: 'UTC' }),
    ];
    expect(codesOf(refused)).toEqual(Array(4).fill([403, 'forbidden']));
    expect(await rowOf('branches', branch.id)).toEqual(branch);
    expect(await rowOf('libraries', lib.id)).toEqual(libraryBefore);
  });

  it('lets a librarian read branches and desks but not change them', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id);
    const desk = await buildDesk(t.app.deps.db, lib.id);
    for (const url of readUrls(branch.id, desk.id)) {
      expect((await call(as.librarian, 'GET', url)).statusCode, url).toBe(200);
    }
    const refused = [
      await call(as.librarian, 'POST', inLib('/branches'), { name: 'Mine' }),
      await call(as.librarian, 'PATCH', `/api/branches/${branch.id}`, { name: 'Mine' }),
      await call(as.librarian, 'POST', inLib('/desks'), { name: 'Mine', slug: 'librarian-desk' }),
      await call(as.librarian, 'PATCH', `/api/desks/${desk.id}`, { name: 'Mine' }),
    ];
    expect(codesOf(refused)).toEqual(Array(4).fill([403, 'forbidden']));
    expect(await rowOf('branches', branch.id)).toEqual(branch);
    expect(await rowOf('desks', desk.id)).toEqual(desk);
  });

  it('lets a partner read the library but not its branches or desks; anonymous callers get 401', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id);
    const desk = await buildDesk(t.app.deps.db, lib.id);
    expect((await call(as.partner, 'GET', inLib())).statusCode).toBe(200);
    for (const url of readUrls(branch.id, desk.id)) {
      const res = await call(as.partner, 'GET', url);
      expect([res.statusCode, errorOf(res).code], url).toEqual([403, 'forbidden']);
      expect((await call(undefined, 'GET', url)).statusCode, url).toBe(401);
    }
  });

  const week = (day: keyof typeof closedWeek, intervals: { opens: string; closes: string }[]) => ({
    weekly: { ...closedWeek, [day]: intervals },
  });
  const overlapping = week('mon', [iv('09:00', '12:00'), iv('11:30', '13:00')]);
  const sameDateTwice = [
    { date: '2026-07-04', intervals: [] },
    { date: '2026-07-04', intervals: [] },
  ];
  it.each([
    ['overlapping intervals', 'branch', { hours: overlapping }, 'hours.weekly.mon'],
    ['closing before opening', 'branch', { hours: week('tue', [iv('12:00', '09:00')]) }, 'hours.weekly.tue.0'],
    ['25:00', 'branch', { hours: week('wed', [iv('09:00', '25:00')]) }, 'hours.weekly.wed.0.closes'],
    [
      'duplicate exception dates',
      'desk',
      { hours: { weekly: closedWeek, exceptions: sameDateTwice } },
      'hours.exceptions',
    ],
    [
      'an impossible date',
      'desk',
      { hours: { weekly: closedWeek, exceptions: [{ date: '2026-02-30', intervals: [] }] } },
      'hours.exceptions.0.date',
    ],
    ['an unknown time zone', 'library', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['a bad slug', 'desk', { slug: 'Reference Desk!' }, 'slug'],
    ['a bad library slug', 'library', { slug: '-bad--slug-' }, 'slug'],
    ['a missing weekday', 'branch', { hours: { weekly: { mon: [] } } }, 'hours.weekly'],
  ] as const)(
    'rejects %s with 400 naming the field and leaves the %s unchanged',
    async (_case, kind, payload, path) => {
      const { table, id, url, before } = await recordOf(kind);
      const res = await call(as.admin, 'PATCH', url, payload);
      expect(codesOf([res])).toEqual([[400, 'validation_failed']]);
      const details = errorOf(res).details as { path: string; message: string }[];
      expect(
        details.some((d) => d.path.startsWith(path) && d.message.length > 0),
        JSON.stringify(details),
      ).toBe(true);
      expect(await rowOf(table, id)).toEqual(before);
    },
  );

  it('rejects unknown fields (strict bodies) with 400 and changes nothing', async () => {
    const desk = await buildDesk(t.app.deps.db, lib.id);
    const res = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, { name: 'Renamed', colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('validation_failed');
    expect(JSON.stringify(errorOf(res).details)).toContain('colour');
    expect(await rowOf('desks', desk.id)).toEqual(desk);
  });

  it('names an unknown field in the details path', async () => {
    const desk = await buildDesk(t.app.deps.db, lib.id);
    const res = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, { colour: 'red' });
    expect(errorOf(res).details).toEqual([expect.objectContaining({ path: 'colour' })]);
  });

  it('answers 409 conflict for a slug already used in the same library, but allows it in another', async () => {
    await buildDesk(t.app.deps.db, lib.id, { slug: 'reference' });
    const dup = await call(as.admin, 'POST', inLib('/desks'), { name: 'Reference 2', slug: 'reference' });
    expect(errorOf(dup)).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ path: 'slug' })] });

    const other = await buildDesk(t.app.deps.db, lib.id, { slug: 'other-ref' });
    const renamed = await call(as.admin, 'PATCH', `/api/desks/${other.id}`, { slug: 'reference' });
    expect(codesOf([dup, renamed])).toEqual([
      [409, 'conflict'],
      [409, 'conflict'],
    ]);
    expect(await rowOf('desks', other.id)).toEqual(other);

    const elsewhere = await call(as.otherAdmin, 'POST', `/api/libraries/${otherLib.id}/desks`, {
      name: 'Reference',
      slug: 'reference',
    });
    expect(elsewhere.statusCode).toBe(201);
    expect(Desk.parse(elsewhere.json())).toMatchObject({ libraryId: otherLib.id, slug: 'reference' });

    // Library slugs are unique across the whole deployment.
    const librarySlug = await call(as.admin, 'PATCH', inLib(), { slug: otherLib.slug });
    expect(codesOf([librarySlug])).toEqual([[409, 'conflict']]);
    expect((await rowOf('libraries', lib.id))?.slug).toBe(lib.slug);
  });

  it('stores and returns HTML in names verbatim, as JSON text', async () => {
    const branchRes = await call(as.admin, 'POST', inLib('/branches'), { name: EVIL, address: '<b>1 Main</b>' });
    const deskRes = await call(as.admin, 'POST', inLib('/desks'), {
      name: EVIL,
      slug: 'evil',
      description: '<img src=x onerror=alert(1)>',
    });
    for (const res of [branchRes, deskRes]) {
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect((res.json() as { name: string }).name).toBe(EVIL);
    }
    const branch = Branch.parse(branchRes.json());
    expect(Branch.parse((await call(as.admin, 'GET', `/api/branches/${branch.id}`)).json())).toMatchObject({
      name: EVIL,
      address: '<b>1 Main</b>',
    });
    expect((await rowOf('branches', branch.id))?.name).toBe(EVIL);
    expect(Desk.parse(deskRes.json()).description).toBe('<img src=x onerror=alert(1)>');
  });

  it('keeps library contact details that a PATCH does not mention', async () => {
    await t.app.deps.db
      .updateTable('libraries')
      .set({ contact_email: 'ask@riverbend.example', website_url: 'https://riverbend.example' })
      .where('id', '=', lib.id)
      .execute();
    const res = await call(as.admin, 'PATCH', inLib(), { name: 'Riverbend Public Library' });
    expect(res.statusCode).toBe(200);
    expect(Library.parse(res.json())).toMatchObject({
      contactEmail: 'ask@riverbend.example',
      websiteUrl: 'https://riverbend.example',
    });
  });

  it('keeps a branch phone number that a PATCH does not mention', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id, { phone: '555-0123' });
    const res = await call(as.admin, 'PATCH', `/api/branches/${branch.id}`, { name: 'Renamed Branch' });
    expect(res.statusCode).toBe(200);
    expect(Branch.parse(res.json()).phone).toBe('555-0123');
  });
});
