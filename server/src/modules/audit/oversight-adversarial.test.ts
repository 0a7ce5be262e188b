import { AuditPage, ConversationPage, PatronBlock } from '@branchline/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskRow, LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { newId } from '../../platform/tokens.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildStaff,
  sessionFor,
  type SignedIn,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { newConversationRow } from '../conversations/conversations.repo.ts';

/** An id that sorts after every random v4 id, and that the protocol's Id accepts. */
const HIGH_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

/** A strict RFC 4180 reader (CRLF or LF records, "" inside quotes), to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

describe.each(dialectsUnderTest())('oversight endpoints under adversarial input on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const db = () => t.app.deps.db;
  const get = (url: string, who?: SignedIn) =>
    t.app.inject({ method: 'GET', url, ...(who ? { headers: who.headers } : {}) });
  const post = (url: string, who?: SignedIn) =>
    t.app.inject({ method: 'POST', url, ...(who ? { headers: who.headers } : {}) });

  interface World {
    library: LibraryRow;
    desk: DeskRow;
    admin: SignedIn;
    adminRow: StaffRow;
    supervisor: SignedIn;
    supervisorRow: StaffRow;
    librarian: SignedIn;
    partner: SignedIn;
  }

  async function world(): Promise<World> {
    const library = await buildLibrary(db());
    const desk = await buildDesk(db(), library.id, { name: 'Ask Us' });
    const adminRow = await buildStaff(db(), { library_id: library.id, role: 'admin', display_name: 'Dana Admin' });
    const supervisorRow = await buildStaff(db(), { library_id: library.id, role: 'supervisor' });
    return {
      library,
      desk,
      adminRow,
      supervisorRow,
      admin: await sessionFor(t.app, adminRow),
      supervisor: await sessionFor(t.app, supervisorRow),
      librarian: await sessionFor(t.app, await buildStaff(db(), { library_id: library.id, role: 'librarian' })),
      partner: await sessionFor(t.app, await buildStaff(db(), { library_id: library.id, role: 'partner' })),
    };
  }

  async function seedAudit(
    libraryId: string,
    at: string,
    fields: {
      id?: string;
      action?: string;
      actorId?: string | null;
      subjectType?: string;
      subjectId?: string | null;
    } = {},
  ): Promise<string> {
    const id = fields.id ?? newId();
    await db()
      .insertInto('audit_log')
      .values({
        id,
        at,
        library_id: libraryId,
        actor_kind: fields.actorId ? 'staff' : 'system',
        actor_staff_id: fields.actorId ?? null,
        action: fields.action ?? 'library.updated',
        subject_type: fields.subjectType ?? 'library',
        subject_id: fields.subjectId === undefined ? libraryId : fields.subjectId,
        details_json: { fields: ['name'] },
      })
      .execute();
    return id;
  }

  async function seedChat(
    libraryId: string,
    deskId: string,
    at: string,
    patron: { name?: string | null; email?: string | null; id?: string } = {},
  ): Promise<string> {
    const patronRow = await db()
      .insertInto('patrons')
      .values({
        id: newId(),
        library_id: libraryId,
        name: patron.name ?? null,
        email: patron.email ?? null,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const row = newConversationRow({
      libraryId,
      deskId,
      patronId: patronRow.id,
      channel: 'chat',
      status: 'resolved',
      language: 'en',
      patronTokenHash: null,
      patronIpHash: 'test',
      now: at,
    });
    const id = patron.id ?? newId();
    await db()
      .insertInto('conversations')
      .values({ ...row, id })
      .execute();
    return id;
  }

  const auditCount = async () =>
    Number(
      (
        await db()
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const auditPage = async (who: SignedIn, query: string): Promise<AuditPage> => {
    const response = await get(`/api/audit-log${query}`, who);
    expect(response.statusCode, response.body).toBe(200);
    return AuditPage.parse(response.json());
  };
  const chatPage = async (who: SignedIn, query: string): Promise<ConversationPage> => {
    const response = await get(`/api/conversations${query}`, who);
    expect(response.statusCode, response.body).toBe(200);
    return ConversationPage.parse(response.json());
  };
  const expectValidation = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
  };

  // ---------------------------------------------------------------- audit log

  describe('GET /api/audit-log', () => {
    let w: World;
    const ids: string[] = [];
    let otherLibraryEntry: string;

    beforeAll(async () => {
      w = await world();
      // Four in one millisecond, then three earlier ones, all in this library.
      for (let i = 0; i < 4; i++) ids.push(await seedAudit(w.library.id, '2026-05-01T10:00:00.000Z'));
      ids.push(await seedAudit(w.library.id, '2026-04-30T10:00:00.000Z'));
      ids.push(await seedAudit(w.library.id, '2026-04-29T10:00:00.000Z'));
      ids.push(await seedAudit(w.library.id, '2026-04-28T10:00:00.000Z'));
      const other = await buildLibrary(db());
      otherLibraryEntry = await seedAudit(other.id, '2026-04-30T10:00:00.000Z');
    });

    it('treats a position without milliseconds as the same instant with them', async () => {
      const plain = await auditPage(w.admin, `?before=${encodeURIComponent(`2026-05-01T10:00:00Z_${HIGH_ID}`)}`);
      const precise = await auditPage(w.admin, `?before=${encodeURIComponent(`2026-05-01T10:00:00.000Z_${HIGH_ID}`)}`);
      expect(plain.items.map((e) => e.id)).toEqual(precise.items.map((e) => e.id));
      expect(plain.items).toHaveLength(ids.length);
    });

    it('pages from a position naming another library’s entry without showing that library’s entries', async () => {
      const page = await auditPage(
        w.admin,
        `?before=${encodeURIComponent(`2026-05-01T00:00:00.000Z_${otherLibraryEntry}`)}`,
      );
      expect(page.items.map((e) => e.at)).toEqual([
        '2026-04-30T10:00:00.000Z',
        '2026-04-29T10:00:00.000Z',
        '2026-04-28T10:00:00.000Z',
      ]);
      expect(page.items.map((e) => e.id)).not.toContain(otherLibraryEntry);
    });

    it('pages with no entry repeated or skipped while newer entries keep arriving between pages', async () => {
      const seen: string[] = [];
      let before: string | null = '';
      let round = 0;
      while (before !== null) {
        const page: AuditPage = await auditPage(
          w.admin,
          `?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        );
        seen.push(...page.items.map((e) => e.id));
        before = page.nextBefore;
        // Newer than anything read: never part of the pages that follow.
        await seedAudit(w.library.id, `2026-06-0${++round}T00:00:00.000Z`);
      }
      const fromOriginal = seen.filter((id) => ids.includes(id));
      expect(new Set(seen).size).toBe(seen.length);
      expect(fromOriginal.sort()).toEqual([...ids].sort());
      expect(seen).toHaveLength(ids.length);
      await db()
        .deleteFrom('audit_log')
        .where('library_id', '=', w.library.id)
        .where('at', '>=', '2026-06-01')
        .execute();
    });

    it('reads from a far-past position as the end of the list', async () => {
      const page = await auditPage(w.admin, `?before=${encodeURIComponent(`1970-01-01T00:00:00.000Z_${HIGH_ID}`)}`);
      expect(page).toEqual({ items: [], nextBefore: null });
    });

    it('refuses an instant with an offset, an equal start and end, and repeated parameters', async () => {
      expectValidation(await get('/api/audit-log?since=2026-05-01T12:00:00%2B02:00', w.admin));
      expectValidation(await get('/api/audit-log?since=2026-05-01T10:00:00Z&until=2026-05-01T10:00:00.000Z', w.admin));
      expectValidation(await get('/api/audit-log?action=library.updated&action=desk.updated', w.admin));
      expectValidation(await get('/api/audit-log?before=', w.admin));
      expectValidation(
        await get(
          `/api/audit-log?before=${encodeURIComponent(`2026-05-01T10:00:00Z_${HIGH_ID.toUpperCase()}`)}`,
          w.admin,
        ),
      );
    });

    it('takes the last instant of year 9999 as an end', async () => {
      const page = await auditPage(w.admin, '?until=9999-12-31T23:59:59.999Z');
      expect(page.items).toHaveLength(ids.length);
    });

    it('refuses a position that looks like one but is no instant with a validation error, not a 500', async () => {
      for (const time of ['2026-13-45T99:99:99Z', 'T', '12:00', '--']) {
        const response = await get(`/api/audit-log?before=${encodeURIComponent(`${time}_${HIGH_ID}`)}`, w.admin);
        expectValidation(response);
      }
    });

    it('answers a far-future position with every entry, or refuses it, never an empty page or a 500', async () => {
      const response = await get(`/api/audit-log?before=${encodeURIComponent(`99999_${HIGH_ID}`)}`, w.admin);
      if (response.statusCode === 400) return;
      expect(response.statusCode, response.body).toBe(200);
      expect(AuditPage.parse(response.json()).items).toHaveLength(ids.length);
    });

    // Year 0000 exists in JavaScript but not in PostgreSQL: refused by the API on both databases.
    it('refuses year 0000 as a start or a position with a validation error', async () => {
      expectValidation(await get('/api/audit-log?since=0000-01-01T00:00:00Z', w.admin));
      expectValidation(
        await get(`/api/audit-log?before=${encodeURIComponent(`0000-01-01T00:00:00.000Z_${HIGH_ID}`)}`, w.admin),
      );
      expect((await auditPage(w.admin, '?since=0001-01-01T00:00:00Z')).items).toHaveLength(ids.length);
    });

    // Times are kept to the millisecond: a finer bound would be cut, so it is refused instead.
    it('refuses a start or an end finer than a millisecond, and a day that does not exist', async () => {
      expectValidation(await get('/api/audit-log?since=2026-05-01T10:00:00.0005Z', w.admin));
      expectValidation(await get('/api/audit-log?until=2026-05-01T10:00:00.0005Z', w.admin));
      expectValidation(await get('/api/audit-log?since=2026-02-30T00:00:00Z', w.admin));
      expect((await auditPage(w.admin, '?since=2026-05-01T10:00:00.001Z')).items).toEqual([]);
      expect(
        (await auditPage(w.admin, '?since=2026-05-01T09:00:00Z&until=2026-05-01T10:00:00.001Z')).items,
      ).toHaveLength(4);
    });

    it('lets administrators and supervisors read it and the download, and refuses everyone else', async () => {
      for (const url of ['/api/audit-log', '/api/audit-log/export']) {
        expect((await get(url, w.admin)).statusCode).toBe(200);
        expect((await get(url, w.supervisor)).statusCode).toBe(200);
        expect((await get(url, w.librarian)).statusCode).toBe(403);
        expect((await get(url, w.partner)).statusCode).toBe(403);
        const anonymous = await get(url);
        expect(anonymous.statusCode).toBe(401);
        expect(anonymous.body).not.toContain('library.updated');
        expect((await get(url, w.librarian)).body).not.toContain('library.updated');
      }
      // Another library's administrator, naming this library's records, gets nothing of them.
      const stranger = await world();
      expect(
        parseCsv((await get(`/api/audit-log/export?subjectId=${w.library.id}`, stranger.admin)).body),
      ).toHaveLength(1);
      expect((await auditPage(stranger.admin, `?subjectId=${w.library.id}`)).items).toEqual([]);
    });

    it('leaves out entries of unknown actions but keeps paging past them', async () => {
      const lib = await world();
      const known = await seedAudit(lib.library.id, '2026-05-01T09:00:00.000Z');
      await seedAudit(lib.library.id, '2026-05-01T10:00:00.000Z', { action: 'library.teleported' });
      const first = await auditPage(lib.admin, '?limit=1');
      expect(first.items).toEqual([]);
      expect(first.nextBefore).not.toBeNull();
      const second = await auditPage(lib.admin, `?limit=1&before=${encodeURIComponent(first.nextBefore ?? '')}`);
      expect(second.items.map((e) => e.id)).toEqual([known]);
    });
  });

  // ---------------------------------------------------------------- audit export

  describe('GET /api/audit-log/export', () => {
    it('writes hostile names so that they read back exactly, with every formula start defused', async () => {
      const w = await world();
      const names = [
        'Smith, Jane',
        'The "Boss"',
        'Line one\r\nLine two',
        'Bare\nnewline',
        '=1+1',
        '+SUM(A1:A9)',
        '-2+3',
        '@cmd',
        '\t=tab',
        '\r=cr',
        'Ünïcödé 📚 שלום',
        "'already quoted",
        'trailing comma,',
      ];
      for (const [i, name] of names.entries()) {
        const staff = await buildStaff(db(), { library_id: w.library.id, display_name: name });
        await seedAudit(w.library.id, `2026-05-01T10:00:${String(i).padStart(2, '0')}.000Z`, {
          actorId: staff.id,
          action: 'staff.updated',
          subjectType: 'staff',
          subjectId: staff.id,
        });
      }
      const response = await get('/api/audit-log/export?action=staff.updated', w.admin);
      expect(response.statusCode, response.body).toBe(200);
      const rows = parseCsv(response.body);
      expect(rows[0]).toHaveLength(9);
      const body = rows.slice(1);
      expect(body).toHaveLength(names.length);
      expect(body.every((r) => r.length === 9)).toBe(true);
      const defused = (name: string) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);
      // Newest first: the names in reverse order, as actor and as subject.
      expect(body.map((r) => r[3])).toEqual([...names].reverse().map(defused));
      expect(body.map((r) => r[7])).toEqual([...names].reverse().map(defused));
    });

    it('downloads exactly the entries the list shows for the same filters, in the same order', async () => {
      const w = await world();
      const other = await buildStaff(db(), { library_id: w.library.id, role: 'librarian' });
      const deskB = await buildDesk(db(), w.library.id);
      const seeds: Array<[string, Parameters<typeof seedAudit>[2]]> = [
        [
          '2026-05-01T10:00:00.000Z',
          { action: 'desk.updated', subjectType: 'desk', subjectId: w.desk.id, actorId: w.adminRow.id },
        ],
        [
          '2026-05-01T10:00:00.000Z',
          { action: 'desk.updated', subjectType: 'desk', subjectId: deskB.id, actorId: other.id },
        ],
        [
          '2026-05-02T10:00:00.000Z',
          { action: 'desk.created', subjectType: 'desk', subjectId: deskB.id, actorId: other.id },
        ],
        ['2026-05-03T00:00:00.000Z', { action: 'library.updated', actorId: w.adminRow.id }],
        ['2026-05-03T00:00:00.000Z', { action: 'future.thing', actorId: w.adminRow.id }],
        [
          '2026-05-04T23:59:59.999Z',
          { action: 'staff.signed_in', subjectType: 'staff', subjectId: other.id, actorId: other.id },
        ],
      ];
      for (const [at, fields] of seeds) await seedAudit(w.library.id, at, fields);
      const filters = [
        '',
        'action=desk.updated',
        `actorId=${other.id}`,
        `subjectType=desk&subjectId=${deskB.id}`,
        'since=2026-05-01T10:00:00.000Z&until=2026-05-03T00:00:00.000Z',
        'since=2026-05-03T00:00:00Z',
        'until=2026-05-01T10:00:00.001Z',
        `action=staff.signed_in&actorId=${w.adminRow.id}`,
      ];
      for (const filter of filters) {
        const listed: string[] = [];
        let before: string | null = '';
        while (before !== null) {
          const page: AuditPage = await auditPage(
            w.admin,
            `?limit=1&${filter}${before ? `&before=${encodeURIComponent(before)}` : ''}`,
          );
          listed.push(...page.items.map((e) => [e.at, e.actor.staffId ?? '', e.action, e.subject.id ?? ''].join('|')));
          before = page.nextBefore;
        }
        const response = await get(`/api/audit-log/export?${filter}`, w.admin);
        expect(response.statusCode, response.body).toBe(200);
        const exported = parseCsv(response.body)
          .slice(1)
          .map((r) => [r[0], r[2], r[4], r[6]].join('|'));
        expect(exported, filter).toEqual(listed);
      }
    });

    it('refuses list-only parameters and malformed filters, with nothing downloaded', async () => {
      const w = await world();
      for (const query of [
        `before=${encodeURIComponent(`2026-05-01T10:00:00Z_${HIGH_ID}`)}`,
        'limit=5',
        'since=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z',
        'since=2026-05-01T10:00:00%2B02:00',
        'subjectType=patron',
      ]) {
        const response = await get(`/api/audit-log/export?${query}`, w.admin);
        expectValidation(response);
        expect(response.headers['content-disposition']).toBeUndefined();
      }
    });

    it('refuses a download from year 0000, and downloads from year 1', async () => {
      const w = await world();
      await seedAudit(w.library.id, '2026-05-01T10:00:00.000Z');
      expectValidation(await get('/api/audit-log/export?since=0000-01-01T00:00:00Z', w.admin));
      const response = await get('/api/audit-log/export?since=0001-01-01T00:00:00Z', w.admin);
      expect(response.statusCode, response.body).toBe(200);
      expect(parseCsv(response.body)).toHaveLength(2);
    });
  });

  // ---------------------------------------------------------------- blocks

  describe('blocks: GET /api/blocks and POST /api/blocks/:id/lift', () => {
    async function insertBlock(
      libraryId: string,
      fields: { patronId?: string | null; createdBy?: string | null; minutes?: number; createdAt?: string } = {},
    ): Promise<string> {
      const now = t.clock.now();
      const id = newId();
      await db()
        .insertInto('patron_blocks')
        .values({
          id,
          library_id: libraryId,
          patron_id: fields.patronId ?? null,
          ip_hash: `ip-${id}`,
          browser_hash: null,
          scope: 'network',
          reason: 'Abuse',
          created_by: fields.createdBy ?? null,
          created_at: fields.createdAt ?? now.toISOString(),
          until: new Date(now.getTime() + (fields.minutes ?? 60) * 60_000).toISOString(),
        })
        .execute();
      return id;
    }
    const blockRow = (id: string) =>
      db().selectFrom('patron_blocks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const unblocks = async (libraryId: string) =>
      db()
        .selectFrom('audit_log')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('action', '=', 'patron.unblocked')
        .execute();
    const listBlocks = async (who: SignedIn) => {
      const response = await get('/api/blocks', who);
      expect(response.statusCode, response.body).toBe(200);
      return PatronBlock.array().parse((response.json() as { items: unknown }).items);
    };

    it('is for administrators and supervisors; a refused lift changes nothing and records nothing', async () => {
      const w = await world();
      const id = await insertBlock(w.library.id, { createdBy: w.supervisorRow.id });
      const before = await blockRow(id);
      const audits = await auditCount();
      expect((await get('/api/blocks', w.librarian)).statusCode).toBe(403);
      expect((await get('/api/blocks', w.partner)).statusCode).toBe(403);
      expect((await get('/api/blocks')).statusCode).toBe(401);
      expect((await post(`/api/blocks/${id}/lift`, w.librarian)).statusCode).toBe(403);
      expect((await post(`/api/blocks/${id}/lift`, w.partner)).statusCode).toBe(403);
      expect((await post(`/api/blocks/${id}/lift`)).statusCode).toBe(401);
      // A session without its CSRF token.
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: `/api/blocks/${id}/lift`,
        headers: { cookie: w.admin.cookie },
      });
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json().error.code).toBe('csrf_failed');
      expect(await blockRow(id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
      expect((await listBlocks(w.admin)).map((b) => b.id)).toContain(id);
      expect((await listBlocks(w.supervisor)).map((b) => b.id)).toContain(id);
    });

    it('does not lift another library’s block, nor one already over, and records nothing for either', async () => {
      const w = await world();
      const stranger = await world();
      const theirs = await insertBlock(stranger.library.id);
      const expired = await insertBlock(w.library.id, { minutes: -1 });
      const endsNow = await insertBlock(w.library.id, { minutes: 0 });
      const audits = await auditCount();
      for (const id of [theirs, expired, endsNow]) {
        const before = await blockRow(id);
        const response = await post(`/api/blocks/${id}/lift`, w.admin);
        expect(response.statusCode).toBe(404);
        expect(response.json().error.code).toBe('not_found');
        expect(await blockRow(id)).toEqual(before);
      }
      expect(await auditCount()).toBe(audits);
      expect((await listBlocks(w.admin)).map((b) => b.id)).toEqual([]);
      expect((await listBlocks(stranger.admin)).map((b) => b.id)).toEqual([theirs]);
    });

    it('refuses malformed ids with a validation error', async () => {
      const w = await world();
      for (const id of ['not-an-id', '1', `${HIGH_ID}x`, "'%20or%201=1--", '%00']) {
        expectValidation(await post(`/api/blocks/${id}/lift`, w.admin));
      }
      expect((await post(`/api/blocks/${HIGH_ID}/lift`, w.admin)).statusCode).toBe(404);
    });

    it('lifts a block once when asked several times at once, recording one unblocking', async () => {
      const w = await world();
      const chat = await buildConversation(db(), { library_id: w.library.id, desk_id: w.desk.id, connected: false });
      const id = await insertBlock(w.library.id, { patronId: chat.patron_id, createdBy: w.adminRow.id });
      const responses = await Promise.all([
        post(`/api/blocks/${id}/lift`, w.admin),
        post(`/api/blocks/${id}/lift`, w.supervisor),
        post(`/api/blocks/${id}/lift`, w.admin),
        post(`/api/blocks/${id}/lift`, w.supervisor),
      ]);
      expect(responses.map((r) => r.statusCode).sort()).toEqual([204, 404, 404, 404]);
      const recorded = await unblocks(w.library.id);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ subject_type: 'conversation', subject_id: chat.id });
      expect((await blockRow(id)).until).toBe(t.clock.now().toISOString());
      expect(await listBlocks(w.admin)).toEqual([]);
    });

    it('lists a block whose maker is gone or whose patron is unknown, once each, newest first', async () => {
      const w = await world();
      const gone = await buildStaff(db(), { library_id: w.library.id, role: 'supervisor', display_name: 'Gone' });
      const chat = await buildConversation(db(), { library_id: w.library.id, desk_id: w.desk.id, connected: false });
      const now = t.clock.now().getTime();
      const older = await insertBlock(w.library.id, {
        createdBy: gone.id,
        patronId: chat.patron_id,
        createdAt: new Date(now - 60_000).toISOString(),
      });
      const newer = await insertBlock(w.library.id, { createdBy: w.supervisorRow.id });
      await db().deleteFrom('staff').where('id', '=', gone.id).execute();
      expect((await blockRow(older)).created_by).toBeNull();
      const items = await listBlocks(w.supervisor);
      expect(items.map((b) => b.id)).toEqual([newer, older]);
      expect(items[1]).toMatchObject({ blockedBy: null, conversationId: chat.id, scope: 'network' });
      expect(items[0]).toMatchObject({ blockedBy: { staffId: w.supervisorRow.id }, conversationId: null });
      // Lifting the one whose maker is gone still works and is recorded.
      expect((await post(`/api/blocks/${older}/lift`, w.admin)).statusCode).toBe(204);
      expect((await listBlocks(w.supervisor)).map((b) => b.id)).toEqual([newer]);
      // Lifting one made with no patron known is recorded against no conversation, and the log still reads.
      expect((await post(`/api/blocks/${newer}/lift`, w.supervisor)).statusCode).toBe(204);
      const unblocked = (await auditPage(w.admin, `?action=patron.unblocked&actorId=${w.supervisorRow.id}`)).items;
      expect(unblocked).toHaveLength(1);
      const [latest] = unblocked;
      expect(latest).toMatchObject({
        actor: { staffId: w.supervisorRow.id },
        subject: { type: 'conversation', id: null, label: null },
        details: { scope: 'network' },
      });
      expect(await listBlocks(w.supervisor)).toEqual([]);
    });

    it('lifts one block of a patron blocked twice and keeps the other in force', async () => {
      const w = await world();
      const chat = await buildConversation(db(), { library_id: w.library.id, desk_id: w.desk.id, connected: false });
      const first = await insertBlock(w.library.id, { patronId: chat.patron_id });
      const second = await insertBlock(w.library.id, { patronId: chat.patron_id, minutes: 120 });
      expect((await post(`/api/blocks/${first}/lift`, w.admin)).statusCode).toBe(204);
      const items = await listBlocks(w.admin);
      expect(items.map((b) => b.id)).toEqual([second]);
      expect(items[0]?.conversationId).toBe(chat.id);
    });
  });

  // ---------------------------------------------------------------- conversations

  describe('GET /api/conversations with patron, since, until and before', () => {
    let w: World;
    const chats = new Map<string, string>();
    let foreign: string;

    beforeAll(async () => {
      w = await world();
      const patrons: Array<[string, string | null, string | null, string]> = [
        ['elodie', 'Élodie Núñez', null, '2026-05-01T10:00:00.000Z'],
        ['emoji', 'Ana 📚 Reader', null, '2026-05-01T11:00:00.000Z'],
        ['backslash', 'C:\\Users\\ann', null, '2026-05-01T12:00:00.000Z'],
        ['quotes', `O'Brien "Bob"`, null, '2026-05-01T13:00:00.000Z'],
        ['percent', 'a\\%b', null, '2026-05-01T14:00:00.000Z'],
        ['nobody', null, null, '2026-05-01T15:00:00.000Z'],
        ['mail', null, 'reader@example.org', '2026-05-01T15:00:00.000Z'],
        ['long', 'x'.repeat(130), null, '2026-05-01T15:00:00.000Z'],
      ];
      for (const [key, name, email, at] of patrons)
        chats.set(key, await seedChat(w.library.id, w.desk.id, at, { name, email }));
      const other = await buildLibrary(db());
      foreign = await seedChat(other.id, (await buildDesk(db(), other.id)).id, '2026-05-01T12:30:00.000Z', {
        name: 'Élodie Elsewhere',
      });
    });

    const search = async (text: string) =>
      (await chatPage(w.librarian, `?patron=${encodeURIComponent(text)}`)).items.map((c) => c.id);

    it('finds backslashes, quotes, emoji, and a 120-character search, each as typed', async () => {
      expect(await search('\\Users\\')).toEqual([chats.get('backslash')]);
      expect(await search(`'brien "b`)).toEqual([chats.get('quotes')]);
      expect(await search('📚')).toEqual([chats.get('emoji')]);
      expect(await search('\\%')).toEqual([chats.get('percent')]);
      expect(await search('x'.repeat(120))).toEqual([chats.get('long')]);
      expect(await search('reader@EXAMPLE.org')).toEqual([chats.get('mail')]);
      // A patron who gave neither name nor email is found by nothing, "null" included.
      expect(await search('null')).toEqual([]);
      expect((await chatPage(w.librarian, '')).items.map((c) => c.id)).toContain(chats.get('nobody'));
    });

    it('refuses an empty, blank, too long or repeated search', async () => {
      for (const query of [
        '?patron=',
        '?patron=%20%20%20',
        '?patron=%09%0A',
        `?patron=${'x'.repeat(121)}`,
        '?patron=a&patron=b',
      ]) {
        expectValidation(await get(`/api/conversations${query}`, w.librarian));
      }
    });

    it('finds a patron by a name with accents, whatever its case', async () => {
      expect(await search('Élodie')).toEqual([chats.get('elodie')]);
      expect(await search('ÉLODIE')).toEqual([chats.get('elodie')]);
      expect(await search('núñez')).toEqual([chats.get('elodie')]);
    });

    it('refuses a search containing NUL with a validation error', async () => {
      expectValidation(await get('/api/conversations?patron=ann%00', w.librarian));
    });

    it('finds nothing, and does not fail, for other control characters in a search', async () => {
      for (const text of ['\u0001', 'ann\u007f', '\u001b[31m']) {
        const response = await get(`/api/conversations?patron=${encodeURIComponent(text)}`, w.librarian);
        expect([200, 400], `${JSON.stringify(text)}: ${response.body}`).toContain(response.statusCode);
        if (response.statusCode === 200) expect(ConversationPage.parse(response.json()).items).toEqual([]);
      }
    });

    it('pages through a search, a conversation at a time, and shows no other library', async () => {
      const seen: string[] = [];
      let before: string | null = '';
      while (before !== null) {
        const page: ConversationPage = await chatPage(
          w.admin,
          `?patron=e&limit=1${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        );
        seen.push(...page.items.map((c) => c.id));
        before = page.nextBefore;
      }
      expect(seen).toEqual([
        chats.get('mail'),
        chats.get('quotes'),
        chats.get('backslash'),
        chats.get('emoji'),
        chats.get('elodie'),
      ]);
      expect(seen).not.toContain(foreign);
      // A position naming the other library's chat pages this library's, from that instant.
      const fromForeign = await chatPage(
        w.admin,
        `?before=${encodeURIComponent(`2026-05-01T12:30:00.000Z_${foreign}`)}`,
      );
      expect(fromForeign.items.map((c) => c.id)).toEqual([
        chats.get('backslash'),
        chats.get('emoji'),
        chats.get('elodie'),
      ]);
    });

    it('pages with no conversation twice or missed while new ones start between pages', async () => {
      const lib = await world();
      const original: string[] = [];
      for (let i = 0; i < 5; i++)
        original.push(await seedChat(lib.library.id, lib.desk.id, '2026-05-02T10:00:00.000Z'));
      original.push(await seedChat(lib.library.id, lib.desk.id, '2026-05-01T10:00:00.000Z'));
      const seen: string[] = [];
      let before: string | null = '';
      let round = 0;
      while (before !== null) {
        const page: ConversationPage = await chatPage(
          lib.librarian,
          `?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        );
        seen.push(...page.items.map((c) => c.id));
        before = page.nextBefore;
        round++;
        // A newer chat, and one in the same instant as the page's last but later in the order.
        await seedChat(lib.library.id, lib.desk.id, `2026-06-0${round}T00:00:00.000Z`);
        if (round === 1) await seedChat(lib.library.id, lib.desk.id, '2026-05-02T10:00:00.000Z', { id: HIGH_ID });
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(original.length);
      expect([...seen].sort()).toEqual([...original].sort());
    });

    it('answers nextBefore null when the last page is exactly full', async () => {
      const lib = await world();
      for (let i = 0; i < 3; i++) await seedChat(lib.library.id, lib.desk.id, `2026-05-0${i + 1}T10:00:00.000Z`);
      const page = await chatPage(lib.librarian, '?limit=3');
      expect(page.items).toHaveLength(3);
      expect(page.nextBefore).toBeNull();
      const half = await chatPage(lib.librarian, '?limit=2');
      expect(half.nextBefore).toBe(`2026-05-02T10:00:00.000Z_${half.items[1]?.id}`);
    });

    it('narrows by start and end, taking the end as exclusive and both with or without milliseconds', async () => {
      const ids = async (query: string) => (await chatPage(w.librarian, query)).items.map((c) => c.id);
      expect(await ids('?since=2026-05-01T12:00:00Z&until=2026-05-01T13:00:00Z')).toEqual([chats.get('backslash')]);
      expect(await ids('?since=2026-05-01T12:00:00.000Z&until=2026-05-01T13:00:00.001Z')).toEqual([
        chats.get('quotes'),
        chats.get('backslash'),
      ]);
      expect(await ids('?until=1970-01-01T00:00:00Z')).toEqual([]);
      expect((await ids('?since=1970-01-01T00:00:00Z&until=9999-12-31T23:59:59.999Z')).length).toBe(chats.size);
      expectValidation(
        await get('/api/conversations?since=2026-05-01T12:00:00Z&until=2026-05-01T12:00:00.000Z', w.librarian),
      );
      expectValidation(await get('/api/conversations?since=2026-05-01T12:00:00-05:00', w.librarian));
    });

    it('lets admins, supervisors and librarians list, refuses partners and the signed-out, and leaks nothing', async () => {
      for (const who of [w.admin, w.supervisor, w.librarian])
        expect((await get('/api/conversations', who)).statusCode).toBe(200);
      const partner = await get('/api/conversations?patron=elodie', w.partner);
      expect(partner.statusCode).toBe(403);
      expect(partner.body).not.toContain(chats.get('elodie'));
      const anonymous = await get('/api/conversations?patron=elodie');
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.body).not.toContain(chats.get('elodie'));
    });

    it('refuses a position that looks like one but is no instant with a validation error, not a 500', async () => {
      for (const time of ['2026-13-45T99:99:99Z', 'T', '::']) {
        expectValidation(
          await get(`/api/conversations?before=${encodeURIComponent(`${time}_${HIGH_ID}`)}`, w.librarian),
        );
      }
    });

    it('answers a far-future position with every conversation, or refuses it', async () => {
      const response = await get(`/api/conversations?before=${encodeURIComponent(`99999_${HIGH_ID}`)}`, w.librarian);
      if (response.statusCode === 400) return;
      expect(response.statusCode, response.body).toBe(200);
      expect(ConversationPage.parse(response.json()).items).toHaveLength(chats.size);
    });

    it('refuses year 0000 and times finer than a millisecond with a validation error', async () => {
      expectValidation(await get('/api/conversations?since=0000-01-01T00:00:00Z', w.librarian));
      expectValidation(await get('/api/conversations?since=2026-05-01T10:00:00.0005Z', w.librarian));
      expect((await chatPage(w.librarian, '?since=0001-01-01T00:00:00Z')).items).toHaveLength(chats.size);
    });

    it('does not write to the audit log when listing or refusing to list', async () => {
      const before = await auditCount();
      await get('/api/conversations?patron=ann', w.librarian);
      await get('/api/conversations', w.partner);
      await get('/api/conversations');
      expect(await auditCount()).toBe(before);
    });
  });
});
