import { Branch, Desk, ErrorBody, Library, listOf, type Hours } from '@branchline/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildBranch, buildDesk, buildLibrary, buildStaff, sessionFor, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';

const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const HOURS: Hours = {
  weekly: {
    ...closedWeek,
    mon: [
      { opens: '09:00', closes: '12:00' },
      { opens: '13:00', closes: '17:30' },
    ],
    sat: [{ opens: '10:00', closes: '14:00' }],
  },
  exceptions: [
    { date: '2026-12-24', note: 'Christmas Eve', intervals: [{ opens: '10:00', closes: '14:00' }] },
    { date: '2026-12-25', note: 'Christmas Day', intervals: [] },
  ],
};
const EVIL = '<script>alert(1)</script> & "Friends"';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
type Method = 'GET' | 'POST' | 'PATCH';

describe.each(dialectsUnderTest())('libraries, branches and desks API on %s', (dialect) => {
  let t: TestApp;
  let lib: LibraryRow;
  let otherLib: LibraryRow;
  let adminRow: StaffRow;
  const as: Record<'admin' | 'supervisor' | 'librarian' | 'partner' | 'otherAdmin', SignedIn> = {} as never;

  const call = (who: SignedIn | undefined, method: Method, url: string, payload?: object) =>
    t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload === undefined ? {} : { payload }) });
  const errorOf = (res: LightMyRequestResponse) => ErrorBody.parse(res.json()).error;
  const rowOf = (table: 'libraries' | 'branches' | 'desks', id: string) =>
    t.app.deps.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  const auditOf = (subjectId: string) =>
    t.app.deps.db.selectFrom('audit_log').selectAll().where('subject_id', '=', subjectId).orderBy('at').execute();

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    lib = await buildLibrary(db, { name: 'Riverbend Library', contact_email: 'ask@riverbend.example', contact_phone: '555-0100', website_url: 'https://riverbend.example' });
    otherLib = await buildLibrary(db, { name: 'Other Library' });
    adminRow = await buildStaff(db, { library_id: lib.id, role: 'admin' });
    as.admin = await sessionFor(t.app, adminRow);
    as.supervisor = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'supervisor' }));
    as.librarian = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'librarian' }));
    as.partner = await sessionFor(t.app, await buildStaff(db, { library_id: lib.id, role: 'partner' }));
    as.otherAdmin = await sessionFor(t.app, await buildStaff(db, { library_id: otherLib.id, role: 'admin' }));
  });
  afterAll(() => t.close());

  it('lets an admin read and edit their library, and records it in the audit log', async () => {
    const read = await call(as.admin, 'GET', `/api/libraries/${lib.id}`);
    expect(read.statusCode).toBe(200);
    expect(Library.parse(read.json())).toMatchObject({ id: lib.id, name: 'Riverbend Library', timeZone: 'America/New_York' });

    const res = await call(as.admin, 'PATCH', `/api/libraries/${lib.id}`, { timeZone: 'America/Chicago', contactPhone: '555-0199' });
    expect(res.statusCode).toBe(200);
    expect(Library.parse(res.json())).toMatchObject({ id: lib.id, timeZone: 'America/Chicago', contactPhone: '555-0199', updatedAt: t.clock.now().toISOString() });
    expect(Library.parse((await call(as.admin, 'GET', `/api/libraries/${lib.id}`)).json()).timeZone).toBe('America/Chicago');

    const audit = await auditOf(lib.id);
    expect(audit.map((a) => a.action)).toContain('library.updated');
    expect(audit.find((a) => a.action === 'library.updated')?.actor_staff_id).toBe(adminRow.id);
  });

  it('lets an admin create a library (201) and audits it', async () => {
    const res = await call(as.admin, 'POST', '/api/libraries', { name: 'Lakeside Library', slug: `lakeside-${dialect}`, timeZone: 'Pacific/Auckland' });
    expect(res.statusCode).toBe(201);
    const created = Library.parse(res.json());
    expect(created).toMatchObject({ name: 'Lakeside Library', slug: `lakeside-${dialect}`, timeZone: 'Pacific/Auckland', contactEmail: '', websiteUrl: '' });
    expect((await rowOf('libraries', created.id))?.time_zone).toBe('Pacific/Auckland');
    expect((await auditOf(created.id)).map((a) => a.action)).toEqual(['library.created']);
  });

  it('lists only the libraries, branches and desks of the caller’s library', async () => {
    const ours = await buildBranch(t.app.deps.db, lib.id);
    const theirs = await buildBranch(t.app.deps.db, otherLib.id);
    const theirDesk = await buildDesk(t.app.deps.db, otherLib.id);

    const libraries = listOf(Library).parse((await call(as.admin, 'GET', '/api/libraries')).json()).items;
    expect(libraries.map((l) => l.id)).toEqual([lib.id]);
    expect(listOf(Library).parse((await call(as.otherAdmin, 'GET', '/api/libraries')).json()).items.map((l) => l.id)).toEqual([otherLib.id]);

    const branches = listOf(Branch).parse((await call(as.admin, 'GET', `/api/libraries/${lib.id}/branches`)).json()).items;
    expect(branches.map((b) => b.id)).toContain(ours.id);
    expect(branches.every((b) => b.libraryId === lib.id)).toBe(true);
    expect(branches.map((b) => b.id)).not.toContain(theirs.id);
    const desks = listOf(Desk).parse((await call(as.admin, 'GET', `/api/libraries/${lib.id}/desks`)).json()).items;
    expect(desks.map((d) => d.id)).not.toContain(theirDesk.id);
  });

  it('creates, reads and updates a branch with weekly hours and exceptions round-tripping', async () => {
    const created = await call(as.admin, 'POST', `/api/libraries/${lib.id}/branches`, { name: 'North Branch', address: '1 Elm St', hours: HOURS });
    expect(created.statusCode).toBe(201);
    const branch = Branch.parse(created.json());
    expect(branch).toMatchObject({ libraryId: lib.id, name: 'North Branch', address: '1 Elm St', phone: '', isActive: true, hours: HOURS });

    const read = await call(as.librarian, 'GET', `/api/branches/${branch.id}`);
    expect(read.statusCode).toBe(200);
    expect(Branch.parse(read.json()).hours).toEqual(HOURS);

    const newHours: Hours = { weekly: { ...HOURS.weekly, sun: [{ opens: '12:00', closes: '16:00' }] }, exceptions: [{ date: '2027-01-01', note: "New Year's Day", intervals: [] }] };
    const updated = await call(as.admin, 'PATCH', `/api/branches/${branch.id}`, { hours: newHours, isActive: false });
    expect(updated.statusCode).toBe(200);
    expect(Branch.parse(updated.json())).toMatchObject({ name: 'North Branch', isActive: false, hours: newHours });
    expect(Branch.parse((await call(as.admin, 'GET', `/api/branches/${branch.id}`)).json()).hours).toEqual(newHours);
    expect((await auditOf(branch.id)).map((a) => a.action)).toEqual(['branch.created', 'branch.updated']);
  });

  it('creates, reads and updates a desk', async () => {
    const created = await call(as.admin, 'POST', `/api/libraries/${lib.id}/desks`, { name: 'Homework Help', slug: 'homework', hours: HOURS });
    expect(created.statusCode).toBe(201);
    const desk = Desk.parse(created.json());
    expect(desk).toMatchObject({ libraryId: lib.id, slug: 'homework', mode: 'claim', description: '', isActive: true, hours: HOURS });

    const updated = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, { mode: 'assign', description: 'After school' });
    expect(updated.statusCode).toBe(200);
    expect(Desk.parse(updated.json())).toMatchObject({ slug: 'homework', mode: 'assign', description: 'After school', hours: HOURS });
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
    const db = t.app.deps.db;
    const id = kind === 'library' ? lib.id : kind === 'branch' ? (await buildBranch(db, lib.id)).id : (await buildDesk(db, lib.id)).id;
    const table = kind === 'library' ? 'libraries' : kind === 'branch' ? 'branches' : 'desks';
    const url = `/api/${table}/${id}`;
    const before = await rowOf(table, id);
    const res = await call(as.otherAdmin, method, url, method === 'PATCH' ? { name: 'Taken over' } : undefined);
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
    expect(await rowOf(table, id)).toEqual(before);
  });

  it('answers 404 to another library’s admin for this library’s lists and creations, creating nothing', async () => {
    for (const path of ['branches', 'desks']) {
      expect((await call(as.otherAdmin, 'GET', `/api/libraries/${lib.id}/${path}`)).statusCode).toBe(404);
    }
    const branch = await call(as.otherAdmin, 'POST', `/api/libraries/${lib.id}/branches`, { name: 'Sneaky Branch' });
    const desk = await call(as.otherAdmin, 'POST', `/api/libraries/${lib.id}/desks`, { name: 'Sneaky Desk', slug: 'sneaky' });
    expect([branch.statusCode, desk.statusCode]).toEqual([404, 404]);
    expect(await t.app.deps.db.selectFrom('branches').select('id').where('name', '=', 'Sneaky Branch').execute()).toEqual([]);
    expect(await t.app.deps.db.selectFrom('desks').select('id').where('slug', '=', 'sneaky').execute()).toEqual([]);
  });

  it('lets a supervisor manage desks but not branches or the library', async () => {
    const created = await call(as.supervisor, 'POST', `/api/libraries/${lib.id}/desks`, { name: 'Genealogy', slug: 'genealogy' });
    expect(created.statusCode).toBe(201);
    const desk = Desk.parse(created.json());
    expect((await call(as.supervisor, 'PATCH', `/api/desks/${desk.id}`, { name: 'Family History' })).statusCode).toBe(200);

    const branch = await buildBranch(t.app.deps.db, lib.id);
    const libraryBefore = await rowOf('libraries', lib.id);
    const refused = [
      await call(as.supervisor, 'POST', `/api/libraries/${lib.id}/branches`, { name: 'Supervisor Branch' }),
      await call(as.supervisor, 'PATCH', `/api/branches/${branch.id}`, { name: 'Renamed' }),
      await call(as.supervisor, 'PATCH', `/api/libraries/${lib.id}`, { name: 'Renamed' }),
      await call(as.supervisor, 'POST', '/api/libraries', { name: 'Mine', slug: 'mine', timeZone: 'UTC' }),
    ];
    expect(refused.map((r) => [r.statusCode, errorOf(r).code])).toEqual(Array(4).fill([403, 'forbidden']));
    expect(await rowOf('branches', branch.id)).toEqual(branch);
    expect(await rowOf('libraries', lib.id)).toEqual(libraryBefore);
  });

  it('lets a librarian read branches and desks but not change them', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id);
    const desk = await buildDesk(t.app.deps.db, lib.id);
    for (const url of [`/api/libraries/${lib.id}/branches`, `/api/libraries/${lib.id}/desks`, `/api/branches/${branch.id}`, `/api/desks/${desk.id}`]) {
      expect((await call(as.librarian, 'GET', url)).statusCode, url).toBe(200);
    }
    const refused = [
      await call(as.librarian, 'POST', `/api/libraries/${lib.id}/branches`, { name: 'Mine' }),
      await call(as.librarian, 'PATCH', `/api/branches/${branch.id}`, { name: 'Mine' }),
      await call(as.librarian, 'POST', `/api/libraries/${lib.id}/desks`, { name: 'Mine', slug: 'librarian-desk' }),
      await call(as.librarian, 'PATCH', `/api/desks/${desk.id}`, { name: 'Mine' }),
    ];
    expect(refused.map((r) => [r.statusCode, errorOf(r).code])).toEqual(Array(4).fill([403, 'forbidden']));
    expect(await rowOf('branches', branch.id)).toEqual(branch);
    expect(await rowOf('desks', desk.id)).toEqual(desk);
  });

  it('lets a partner read the library but not its branches or desks; anonymous callers get 401', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id);
    const desk = await buildDesk(t.app.deps.db, lib.id);
    expect((await call(as.partner, 'GET', `/api/libraries/${lib.id}`)).statusCode).toBe(200);
    for (const url of [`/api/libraries/${lib.id}/branches`, `/api/libraries/${lib.id}/desks`, `/api/branches/${branch.id}`, `/api/desks/${desk.id}`]) {
      const res = await call(as.partner, 'GET', url);
      expect([res.statusCode, errorOf(res).code], url).toEqual([403, 'forbidden']);
      expect((await call(undefined, 'GET', url)).statusCode, url).toBe(401);
    }
  });

  const week = (day: keyof typeof closedWeek, intervals: { opens: string; closes: string }[]) => ({ weekly: { ...closedWeek, [day]: intervals } });
  it.each([
    ['overlapping intervals', 'branch', { hours: week('mon', [{ opens: '09:00', closes: '12:00' }, { opens: '11:30', closes: '13:00' }]) }, 'hours.weekly.mon'],
    ['closing before opening', 'branch', { hours: week('tue', [{ opens: '12:00', closes: '09:00' }]) }, 'hours.weekly.tue.0'],
    ['25:00', 'branch', { hours: week('wed', [{ opens: '09:00', closes: '25:00' }]) }, 'hours.weekly.wed.0.closes'],
    ['duplicate exception dates', 'desk', { hours: { weekly: closedWeek, exceptions: [{ date: '2026-07-04', intervals: [] }, { date: '2026-07-04', intervals: [] }] } }, 'hours.exceptions'],
    ['an impossible exception date', 'desk', { hours: { weekly: closedWeek, exceptions: [{ date: '2026-02-30', intervals: [] }] } }, 'hours.exceptions.0.date'],
    ['an unknown time zone', 'library', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['a bad slug', 'desk', { slug: 'Reference Desk!' }, 'slug'],
    ['a bad library slug', 'library', { slug: '-bad--slug-' }, 'slug'],
    ['a missing weekday', 'branch', { hours: { weekly: { mon: [] } } }, 'hours.weekly'],
  ] as const)('rejects %s with 400 naming the field and leaves the %s unchanged', async (_case, kind, payload, path) => {
    const db = t.app.deps.db;
    const id = kind === 'library' ? lib.id : kind === 'branch' ? (await buildBranch(db, lib.id)).id : (await buildDesk(db, lib.id)).id;
    const table = kind === 'library' ? 'libraries' : kind === 'branch' ? 'branches' : 'desks';
    const before = await rowOf(table, id);
    const res = await call(as.admin, 'PATCH', `/api/${table}/${id}`, payload);
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe('validation_failed');
    const details = error.details as { path: string; message: string }[];
    expect(details.length).toBeGreaterThan(0);
    expect(details.some((d) => d.path.startsWith(path) && d.message.length > 0), JSON.stringify(details)).toBe(true);
    expect(await rowOf(table, id)).toEqual(before);
  });

  it('rejects unknown fields (strict bodies) with 400 and changes nothing', async () => {
    const desk = await buildDesk(t.app.deps.db, lib.id);
    const res = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, { name: 'Renamed', colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('validation_failed');
    expect(JSON.stringify(errorOf(res).details)).toContain('colour');
    expect(await rowOf('desks', desk.id)).toEqual(desk);
  });

  // BUG: error-handler.ts builds `path` from the instancePath only; for an unrecognised
  // key that is the enclosing object (""), so the client cannot tell which field to highlight.
  it.fails('names an unknown field in the details path', async () => {
    const desk = await buildDesk(t.app.deps.db, lib.id);
    const res = await call(as.admin, 'PATCH', `/api/desks/${desk.id}`, { colour: 'red' });
    expect(errorOf(res).details).toEqual([expect.objectContaining({ path: 'colour' })]);
  });

  it('answers 409 conflict for a desk slug already used in the same library, but allows it in another', async () => {
    await buildDesk(t.app.deps.db, lib.id, { slug: 'reference' });
    const dup = await call(as.admin, 'POST', `/api/libraries/${lib.id}/desks`, { name: 'Reference 2', slug: 'reference' });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup)).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ path: 'slug' })] });

    const other = await buildDesk(t.app.deps.db, lib.id, { slug: 'other-ref' });
    const renamed = await call(as.admin, 'PATCH', `/api/desks/${other.id}`, { slug: 'reference' });
    expect([renamed.statusCode, errorOf(renamed).code]).toEqual([409, 'conflict']);
    expect(await rowOf('desks', other.id)).toEqual(other);

    const elsewhere = await call(as.otherAdmin, 'POST', `/api/libraries/${otherLib.id}/desks`, { name: 'Reference', slug: 'reference' });
    expect(elsewhere.statusCode).toBe(201);
    expect(Desk.parse(elsewhere.json())).toMatchObject({ libraryId: otherLib.id, slug: 'reference' });
  });

  it('answers 409 for a library slug already taken by another library', async () => {
    const res = await call(as.admin, 'PATCH', `/api/libraries/${lib.id}`, { slug: otherLib.slug });
    expect([res.statusCode, errorOf(res).code]).toEqual([409, 'conflict']);
    expect((await rowOf('libraries', lib.id))?.slug).toBe(lib.slug);
  });

  it('stores and returns HTML in names verbatim, as JSON text', async () => {
    const branchRes = await call(as.admin, 'POST', `/api/libraries/${lib.id}/branches`, { name: EVIL, address: '<b>1 Main</b>' });
    const deskRes = await call(as.admin, 'POST', `/api/libraries/${lib.id}/desks`, { name: EVIL, slug: 'evil', description: '<img src=x onerror=alert(1)>' });
    for (const res of [branchRes, deskRes]) {
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect((res.json() as { name: string }).name).toBe(EVIL);
    }
    const branch = Branch.parse(branchRes.json());
    expect(Branch.parse((await call(as.admin, 'GET', `/api/branches/${branch.id}`)).json())).toMatchObject({ name: EVIL, address: '<b>1 Main</b>' });
    expect((await rowOf('branches', branch.id))?.name).toBe(EVIL);
    expect(Desk.parse(deskRes.json()).description).toBe('<img src=x onerror=alert(1)>');
  });

  it('answers 404 for well-formed ids that do not exist', async () => {
    for (const url of [`/api/libraries/${UNKNOWN_ID}`, `/api/branches/${UNKNOWN_ID}`, `/api/desks/${UNKNOWN_ID}`]) {
      const res = await call(as.admin, 'GET', url);
      expect([res.statusCode, errorOf(res).code], url).toEqual([404, 'not_found']);
    }
  });

  // BUG (protocol/src/libraries.ts): Zod 4 applies `.default('')` even inside `.partial()` /
  // `.optional()`, so UpdateLibraryBody fills contactEmail/contactPhone/websiteUrl with '' and
  // UpdateBranchBody fills phone with '' when a PATCH does not mention them: they are wiped.
  it.fails('keeps library contact details that a PATCH does not mention', async () => {
    await t.app.deps.db
      .updateTable('libraries')
      .set({ contact_email: 'ask@riverbend.example', website_url: 'https://riverbend.example' })
      .where('id', '=', lib.id)
      .execute();
    const res = await call(as.admin, 'PATCH', `/api/libraries/${lib.id}`, { name: 'Riverbend Public Library' });
    expect(res.statusCode).toBe(200);
    expect(Library.parse(res.json())).toMatchObject({ contactEmail: 'ask@riverbend.example', websiteUrl: 'https://riverbend.example' });
  });

  it.fails('keeps a branch phone number that a PATCH does not mention', async () => {
    const branch = await buildBranch(t.app.deps.db, lib.id, { phone: '555-0123' });
    const res = await call(as.admin, 'PATCH', `/api/branches/${branch.id}`, { name: 'Renamed Branch' });
    expect(res.statusCode).toBe(200);
    expect(Branch.parse(res.json()).phone).toBe('555-0123');
  });
});
