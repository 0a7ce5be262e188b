import type { CannedResponse, ChatToday, Conversation, ConversationWithEvents } from '@branchline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database.ts';
import type { DeskRow, LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  sessionFor,
} from '../../test/factories.ts';
import { buildTestApp, TestClock, type TestApp } from '../../test/test-app.ts';
import { sweep } from '../routing/routing.service.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type ErrorJson = { error: { code: string; details?: Array<{ path: string; message: string }> } };

describe.each(dialectsUnderTest())('staff console on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let library: LibraryRow;
  let desk: DeskRow;
  let librarian: StaffRow;
  let supervisor: StaffRow;
  let serial = 0;

  beforeEach(async () => {
    t = await buildTestApp(dialect, { clock: new TestClock('2026-03-02T15:00:00.000Z') });
    db = t.app.deps.db;
    // Public chat serves the deployment's first library.
    library = await buildLibrary(db, { time_zone: 'America/New_York', created_at: '2020-01-01T00:00:00.000Z' });
    desk = await buildDesk(db, library.id, { mode: 'claim' });
    librarian = await buildStaff(db, { library_id: library.id, role: 'librarian' });
    supervisor = await buildStaff(db, { library_id: library.id, role: 'supervisor' });
  });
  afterEach(async () => t.close());

  const nextId = (prefix: string) => `${prefix}-${(serial++).toString().padStart(6, '0')}`;
  const nextIp = () => `10.42.${Math.floor(serial / 250)}.${(serial++ % 250) + 1}`;

  async function call(staff: StaffRow, method: Method, url: string, payload?: object) {
    const session = await sessionFor(t.app, staff);
    return t.app.inject({ method, url, headers: session.headers, ...(payload ? { payload } : {}) });
  }

  function expectRefusal(response: { statusCode: number; json(): unknown }, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    expect((response.json() as ErrorJson).error.code).toBe(code);
  }

  function expectInvalid(response: { statusCode: number; json(): unknown }, field: string) {
    expectRefusal(response, 400, 'validation_failed');
    const paths = ((response.json() as ErrorJson).error.details ?? []).map((d) => d.path);
    expect(
      paths.some((p) => p === field || p.startsWith(`${field}.`)),
      JSON.stringify(paths),
    ).toBe(true);
  }

  async function startChat(extra: { name?: string; email?: string; message?: string } = {}) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: desk.slug, clientId: nextId('start'), message: 'Do you have tax forms?', ...extra },
      remoteAddress: nextIp(),
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { token: string; conversation: { id: string } };
    return { token: body.token, id: body.conversation.id };
  }

  const patronFrame = (token: string, frame: object) =>
    t.app.inject({ method: 'POST', url: '/api/chat/frames', headers: { 'x-chat-token': token }, payload: frame });

  const leaveQuestion = (body: object) =>
    t.app.inject({
      method: 'POST',
      url: '/api/chat/questions',
      payload: { desk: desk.slug, clientId: nextId('question'), ...body },
      remoteAddress: nextIp(),
    });

  async function accept(conversationId: string, by: StaffRow) {
    if (by.role === 'librarian') {
      const presence = await call(by, 'PUT', '/api/presence/me', { status: 'available', deskIds: [desk.id] });
      expect(presence.statusCode, presence.body).toBe(200);
    }
    const accepted = await call(by, 'POST', `/api/conversations/${conversationId}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
  }

  const conversationRow = (id: string) =>
    db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const patronRow = async (conversationId: string) =>
    db
      .selectFrom('patrons')
      .selectAll()
      .where('id', '=', (await conversationRow(conversationId)).patron_id)
      .executeTakeFirstOrThrow();

  const countOf = async (table: 'conversations' | 'patrons' | 'canned_responses') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function otherLibrary() {
    const other = await buildLibrary(db);
    return {
      library: other,
      desk: await buildDesk(db, other.id),
      admin: await buildStaff(db, { library_id: other.id, role: 'admin' }),
    };
  }

  describe('wrap-up', () => {
    const wrapUp = (staff: StaffRow, id: string, body: object) =>
      call(staff, 'PUT', `/api/conversations/${id}/wrapup`, body);

    async function chatOf(assignee: StaffRow) {
      const chat = await startChat();
      await accept(chat.id, assignee);
      return chat;
    }

    it('stores tags trimmed, lower-cased and once each, with the READ scale', async () => {
      const chat = await chatOf(librarian);
      const response = await wrapUp(librarian, chat.id, {
        tags: ['  Ebooks', 'EBOOKS ', 'Tax Forms', 'ebooks'],
        readScale: 3,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ tags: ['ebooks', 'tax forms'], readScale: 3 });
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: ['ebooks', 'tax forms'], read_scale: 3 });
    });

    it('stores every READ scale from 1 to 6, and clears it', async () => {
      const chat = await chatOf(librarian);
      for (const readScale of [1, 2, 3, 4, 5, 6, null]) {
        const response = await wrapUp(librarian, chat.id, { tags: ['renewals'], readScale });
        expect(response.statusCode, response.body).toBe(200);
        expect((response.json() as Conversation).readScale).toBe(readScale);
        expect((await conversationRow(chat.id)).read_scale).toBe(readScale);
      }
    });

    it('refuses a READ scale of 0, 7 or 2.5 with a typed error and keeps the earlier wrap-up', async () => {
      const chat = await chatOf(librarian);
      await wrapUp(librarian, chat.id, { tags: ['ebooks'], readScale: 2 });
      for (const readScale of [0, 7, 2.5]) {
        expectInvalid(await wrapUp(librarian, chat.id, { tags: ['genealogy'], readScale }), 'readScale');
      }
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: ['ebooks'], read_scale: 2 });
    });

    it('refuses more than 20 tags, a tag over 40 characters or a blank one, and keeps the earlier wrap-up', async () => {
      const chat = await chatOf(librarian);
      await wrapUp(librarian, chat.id, { tags: ['ebooks'], readScale: 2 });
      const refused = [Array.from({ length: 21 }, (_, i) => `topic-${i}`), ['x'.repeat(41)], ['   ']];
      for (const tags of refused) expectInvalid(await wrapUp(librarian, chat.id, { tags, readScale: 5 }), 'tags');
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: ['ebooks'], read_scale: 2 });

      const twenty = Array.from({ length: 20 }, (_, i) => `topic-${i}`);
      expect((await wrapUp(librarian, chat.id, { tags: twenty, readScale: 5 })).statusCode).toBe(200);
      expect((await conversationRow(chat.id)).tags_json).toEqual(twenty);
      expect((await wrapUp(librarian, chat.id, { tags: ['y'.repeat(40)], readScale: 5 })).statusCode).toBe(200);
      expect((await conversationRow(chat.id)).tags_json).toEqual(['y'.repeat(40)]);
    });

    it('lets the assignee or a supervisor wrap up, and refuses a colleague who is not handling the chat', async () => {
      const chat = await chatOf(librarian);
      const colleague = await buildStaff(db, { library_id: library.id, role: 'librarian' });
      expectRefusal(await wrapUp(colleague, chat.id, { tags: ['colleague'], readScale: 1 }), 403, 'forbidden');
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: [], read_scale: null });

      expect((await wrapUp(librarian, chat.id, { tags: ['ebooks'], readScale: 2 })).statusCode).toBe(200);
      const bySupervisor = await wrapUp(supervisor, chat.id, { tags: ['ebooks', 'reviewed'], readScale: 4 });
      expect(bySupervisor.statusCode, bySupervisor.body).toBe(200);
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: ['ebooks', 'reviewed'], read_scale: 4 });
    });

    it('answers not found to staff of another library and changes nothing', async () => {
      const chat = await chatOf(librarian);
      const other = await otherLibrary();
      expectRefusal(await wrapUp(other.admin, chat.id, { tags: ['intruder'], readScale: 6 }), 404, 'not_found');
      expect(await conversationRow(chat.id)).toMatchObject({ tags_json: [], read_scale: null });
    });
  });

  describe('canned responses', () => {
    const create = (staff: StaffRow, body: object) => call(staff, 'POST', '/api/canned-responses', body);
    const edit = (staff: StaffRow, id: string, body: object) =>
      call(staff, 'PATCH', `/api/canned-responses/${id}`, body);
    const remove = (staff: StaffRow, id: string) => call(staff, 'DELETE', `/api/canned-responses/${id}`);

    async function created(staff: StaffRow, body: object): Promise<CannedResponse> {
      const response = await create(staff, body);
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as CannedResponse;
    }

    async function listed(staff: StaffRow): Promise<CannedResponse[]> {
      const response = await call(staff, 'GET', '/api/canned-responses');
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as { items: CannedResponse[] }).items;
    }

    it('creates, lists in shortcut order, edits and deletes canned responses', async () => {
      const wifi = await created(librarian, {
        shortcut: 'wifi',
        title: 'Wi-Fi',
        body: 'The network is Library-Guest.',
      });
      expect(wifi).toMatchObject({
        libraryId: library.id,
        shortcut: 'wifi',
        title: 'Wi-Fi',
        body: 'The network is Library-Guest.',
        language: 'en',
        createdAt: '2026-03-02T15:00:00.000Z',
      });
      t.clock.advanceMinutes(1);
      const hours = await created(librarian, {
        shortcut: ' hours ',
        title: 'Opening hours',
        body: 'We open at 9.',
        language: 'es',
      });
      expect(hours).toMatchObject({ shortcut: 'hours', language: 'es' });
      expect((await listed(librarian)).map((c) => c.shortcut)).toEqual(['hours', 'wifi']);

      t.clock.advanceMinutes(5);
      const edited = await edit(librarian, hours.id, { shortcut: 'open', body: 'We open at 10 in summer.' });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json()).toMatchObject({
        id: hours.id,
        shortcut: 'open',
        title: 'Opening hours',
        body: 'We open at 10 in summer.',
        language: 'es',
        createdAt: '2026-03-02T15:01:00.000Z',
        updatedAt: '2026-03-02T15:06:00.000Z',
      });
      expect((await listed(librarian)).map((c) => c.shortcut)).toEqual(['open', 'wifi']);

      const deleted = await remove(librarian, wifi.id);
      expect(deleted.statusCode).toBe(204);
      expect((await listed(librarian)).map((c) => c.id)).toEqual([hours.id]);
      expectRefusal(await remove(librarian, wifi.id), 404, 'not_found');
      expectRefusal(await edit(librarian, wifi.id, { title: 'Back again' }), 404, 'not_found');
    });

    it('keeps HTML and script in a body exactly as written, on create, edit and list', async () => {
      const body = '<script>alert("hours")</script><b>Open</b> 9&nbsp;to&nbsp;5 <a href="javascript:void(0)">map</a>';
      const canned = await created(librarian, { shortcut: 'hours', title: '<i>Hours</i>', body });
      expect(canned).toMatchObject({ title: '<i>Hours</i>', body });
      expect((await listed(librarian))[0]).toMatchObject({ title: '<i>Hours</i>', body });

      const changed = `${body}<img src=x onerror="steal()">`;
      expect((await edit(librarian, canned.id, { body: changed })).json()).toMatchObject({ body: changed });
      const row = await db
        .selectFrom('canned_responses')
        .selectAll()
        .where('id', '=', canned.id)
        .executeTakeFirstOrThrow();
      expect(row.body).toBe(changed);
    });

    it('refuses a shortcut already in use, on create and on edit, with a conflict on the shortcut field', async () => {
      await created(librarian, { shortcut: 'hours', title: 'Opening hours', body: 'We open at 9.' });
      const wifi = await created(librarian, { shortcut: 'wifi', title: 'Wi-Fi', body: 'Library-Guest.' });
      for (const shortcut of ['hours', ' hours ']) {
        const again = await create(supervisor, { shortcut, title: 'Hours again', body: 'Duplicate.' });
        expectRefusal(again, 409, 'conflict');
        expect((again.json() as ErrorJson).error.details).toEqual([{ path: 'shortcut', message: 'Already in use' }]);
      }
      expect(await countOf('canned_responses')).toBe(2);

      expectRefusal(await edit(librarian, wifi.id, { shortcut: 'hours', title: 'Renamed' }), 409, 'conflict');
      expect((await listed(librarian)).find((c) => c.id === wifi.id)).toMatchObject({
        shortcut: 'wifi',
        title: 'Wi-Fi',
      });
      expect((await edit(librarian, wifi.id, { shortcut: 'wifi', title: 'Wireless' })).statusCode).toBe(200);
    });

    it('refuses shortcuts with capitals, spaces, symbols, a leading hyphen or over 30 characters', async () => {
      const existing = await created(librarian, { shortcut: 'hours', title: 'Opening hours', body: 'We open at 9.' });
      const bad = ['Hours', 'opening hours', 'hours!', '/hours', '-hours', 'héures', '', 'x'.repeat(31)];
      for (const shortcut of bad) {
        expectInvalid(await create(librarian, { shortcut, title: 'Bad', body: 'Refused.' }), 'shortcut');
        expectInvalid(await edit(librarian, existing.id, { shortcut }), 'shortcut');
      }
      expect((await listed(librarian)).map((c) => c.shortcut)).toEqual(['hours']);
      const longest = await create(librarian, { shortcut: `a${'-b'.repeat(14)}9`, title: 'Long', body: 'Fits.' });
      expect(longest.statusCode, longest.body).toBe(201);
    });

    it("shares a library's canned responses among its librarians, supervisors and admins, and keeps partners out", async () => {
      const admin = await buildStaff(db, { library_id: library.id, role: 'admin' });
      const partner = await buildStaff(db, { library_id: library.id, role: 'partner' });
      const bySupervisor = await created(supervisor, { shortcut: 'card', title: 'Library card', body: 'Bring ID.' });
      expect((await listed(librarian)).map((c) => c.id)).toEqual([bySupervisor.id]);

      const byLibrarian = await edit(librarian, bySupervisor.id, { body: 'Bring a photo ID and proof of address.' });
      expect(byLibrarian.statusCode, byLibrarian.body).toBe(200);
      expect((await listed(admin))[0]).toMatchObject({ body: 'Bring a photo ID and proof of address.' });
      expect((await remove(admin, bySupervisor.id)).statusCode).toBe(204);
      expect(await listed(supervisor)).toEqual([]);

      expectRefusal(await call(partner, 'GET', '/api/canned-responses'), 403, 'forbidden');
      expectRefusal(await create(partner, { shortcut: 'partner', title: 'Partner', body: 'No.' }), 403, 'forbidden');
      expect(await countOf('canned_responses')).toBe(0);
    });

    it("keeps another library's canned responses out of sight, and its shortcuts free to reuse", async () => {
      const other = await otherLibrary();
      const theirs = await created(other.admin, { shortcut: 'hours', title: 'Their hours', body: 'Open at 8.' });
      const ours = await created(librarian, { shortcut: 'hours', title: 'Our hours', body: 'Open at 9.' });
      expect((await listed(librarian)).map((c) => c.id)).toEqual([ours.id]);
      expect((await listed(other.admin)).map((c) => c.id)).toEqual([theirs.id]);

      const admin = await buildStaff(db, { library_id: library.id, role: 'admin' });
      expectRefusal(await edit(admin, theirs.id, { title: 'Taken over' }), 404, 'not_found');
      expectRefusal(await remove(admin, theirs.id), 404, 'not_found');
      expect((await listed(other.admin))[0]).toMatchObject({ id: theirs.id, title: 'Their hours' });
    });
  });

  describe('patron history', () => {
    async function historyOf(staff: StaffRow, conversationId: string): Promise<string[]> {
      const response = await call(staff, 'GET', `/api/conversations/${conversationId}/history`);
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as { items: Conversation[] }).items.map((c) => c.id).sort();
    }

    it('lists the earlier conversations of a patron who gave an email, never the current one', async () => {
      const first = await startChat({ name: 'Ann', email: 'ann@example.org' });
      const question = await leaveQuestion({ email: 'Ann@Example.org', message: 'Do you lend telescopes?' });
      expect(question.statusCode, question.body).toBe(201);
      await startChat({ email: 'bob@example.org' });
      await startChat();
      const current = await startChat({ email: 'ANN@example.org' });
      expect(await historyOf(librarian, current.id)).toEqual([first.id, (question.json() as { id: string }).id].sort());
    });

    it('lists nothing for an anonymous patron, or for one who gave only a name', async () => {
      await startChat();
      const anonymous = await startChat();
      expect(await historyOf(librarian, anonymous.id)).toEqual([]);
      await startChat({ name: 'Cleo' });
      const namedOnly = await startChat({ name: 'Cleo' });
      expect(await historyOf(librarian, namedOnly.id)).toEqual([]);
    });

    it('finds the earlier conversations once the patron identifies with an email during the chat', async () => {
      const earlier = await startChat({ email: 'cara@example.org' });
      const current = await startChat();
      expect(await historyOf(librarian, current.id)).toEqual([]);
      const identified = await patronFrame(current.token, { type: 'identify', email: 'Cara@Example.org' });
      expect(identified.statusCode, identified.body).toBe(200);
      expect(await historyOf(librarian, current.id)).toEqual([earlier.id]);
    });

    it("leaves out another library's conversations with the same email, and hides the history from its staff", async () => {
      const earlier = await startChat({ email: 'dan@example.org' });
      const current = await startChat({ email: 'dan@example.org' });
      const other = await otherLibrary();
      const elsewhere = await buildConversation(db, { library_id: other.library.id, desk_id: other.desk.id });
      await db.updateTable('patrons').set({ email: 'dan@example.org' }).where('id', '=', elsewhere.patron_id).execute();

      expect(await historyOf(librarian, current.id)).toEqual([earlier.id]);
      expect(await historyOf(other.admin, elsewhere.id)).toEqual([]);
      expectRefusal(await call(other.admin, 'GET', `/api/conversations/${current.id}/history`), 404, 'not_found');
    });
  });

  describe("today's numbers", () => {
    const setClock = (iso: string) => t.clock.set(iso);
    const advanceSeconds = (seconds: number) =>
      t.clock.set(new Date(t.clock.now().getTime() + seconds * 1000).toISOString());

    async function today(staff: StaffRow = supervisor): Promise<ChatToday> {
      const response = await call(staff, 'GET', '/api/chat/today');
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as ChatToday;
    }

    async function answeredAfter(waitSeconds: number) {
      const chat = await startChat();
      advanceSeconds(waitSeconds);
      await accept(chat.id, supervisor);
      const ended = await call(supervisor, 'POST', `/api/conversations/${chat.id}/end`);
      expect(ended.statusCode, ended.body).toBe(200);
      return chat;
    }

    async function abandoned() {
      const chat = await startChat();
      const ended = await patronFrame(chat.token, { type: 'end' });
      expect(ended.statusCode, ended.body).toBe(200);
      expect((await conversationRow(chat.id)).status).toBe('abandoned');
    }

    it("counts the answered, missed and abandoned chats of the library's own day", async () => {
      setClock('2026-03-02T04:30:00.000Z');
      await answeredAfter(30);
      await abandoned();

      setClock('2026-03-02T05:05:00.000Z');
      await answeredAfter(20);
      await answeredAfter(50);
      await abandoned();
      await abandoned();
      await buildPresence(db, librarian.id, [desk.id]);
      const rang = await startChat();
      advanceSeconds(t.config.chatReconnectGraceSeconds + 5);
      await sweep(t.app.deps);
      expect((await conversationRow(rang.id)).status).toBe('missed');
      expect((await leaveQuestion({ email: 'late@example.org', message: 'Any news?' })).statusCode).toBe(201);

      /** A conversation answered at noon today that is not one of this library's chats. */
      const answeredElsewhere = async (row: { library_id: string; desk_id: string; channel?: string }) => {
        const built = await buildConversation(db, row);
        await db
          .updateTable('conversations')
          .set({
            status: 'resolved',
            created_at: '2026-03-02T12:00:00.000Z',
            queued_at: '2026-03-02T12:00:00.000Z',
            accepted_at: '2026-03-02T12:10:00.000Z',
          })
          .where('id', '=', built.id)
          .execute();
      };
      const other = await otherLibrary();
      await answeredElsewhere({ library_id: other.library.id, desk_id: other.desk.id });
      // An email conversation of this library is not a chat either.
      await answeredElsewhere({ library_id: library.id, desk_id: desk.id, channel: 'email' });

      setClock('2026-03-03T04:59:00.000Z');
      expect(await today()).toEqual({ answered: 2, missed: 1, abandoned: 2, medianWaitSeconds: 35 });
      expect(await today(librarian)).toEqual({ answered: 2, missed: 1, abandoned: 2, medianWaitSeconds: 35 });

      setClock('2026-03-03T05:00:00.000Z');
      expect(await today()).toEqual({ answered: 0, missed: 0, abandoned: 0, medianWaitSeconds: null });
    });

    it('gives the middle wait of an odd number of answered chats and the mean of the middle two of an even number', async () => {
      setClock('2026-03-02T13:00:00.000Z');
      await abandoned();
      expect((await today()).medianWaitSeconds).toBeNull();
      for (const wait of [90, 10, 40]) await answeredAfter(wait);
      expect(await today()).toMatchObject({ answered: 3, medianWaitSeconds: 40 });
      await answeredAfter(200);
      expect(await today()).toMatchObject({ answered: 4, medianWaitSeconds: 65 });
    });

    it('counts a chat still in progress as answered', async () => {
      setClock('2026-03-02T14:00:00.000Z');
      const chat = await startChat();
      advanceSeconds(25);
      await accept(chat.id, librarian);
      expect(await today()).toEqual({ answered: 1, missed: 0, abandoned: 0, medianWaitSeconds: 25 });
    });

    it('counts the wait until a chat was first answered, not until it was answered again after a transfer', async () => {
      setClock('2026-03-02T14:00:00.000Z');
      const chat = await startChat();
      advanceSeconds(30);
      await accept(chat.id, librarian);
      advanceSeconds(600);
      const other = await buildDesk(db, library.id, { mode: 'claim' });
      await buildPresence(db, supervisor.id, [other.id]);
      const sent = await call(librarian, 'POST', `/api/conversations/${chat.id}/transfer`, { toDeskId: other.id });
      expect(sent.statusCode, sent.body).toBe(200);
      advanceSeconds(20);
      expect((await call(supervisor, 'POST', `/api/conversations/${chat.id}/accept`)).statusCode).toBe(200);
      expect(await today()).toEqual({ answered: 1, missed: 0, abandoned: 0, medianWaitSeconds: 30 });
      expect((await conversationRow(chat.id)).accepted_at).toBe('2026-03-02T14:00:30.000Z');
    });

    it('is refused to a partner', async () => {
      const partner = await buildStaff(db, { library_id: library.id, role: 'partner' });
      expectRefusal(await call(partner, 'GET', '/api/chat/today'), 403, 'forbidden');
    });
  });

  describe('identify', () => {
    async function staffView(conversationId: string): Promise<ConversationWithEvents> {
      const response = await call(librarian, 'GET', `/api/conversations/${conversationId}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as ConversationWithEvents;
    }

    it('stores the name and email a patron gives, HTML kept as text, and tells staff with an identified event', async () => {
      const chat = await startChat();
      const name = '<b>Ann</b> <script>steal()</script>';
      const sent = await patronFrame(chat.token, {
        type: 'identify',
        name: `  ${name} `,
        email: ' Ann.Reader@Example.ORG ',
      });
      expect(sent.statusCode, sent.body).toBe(200);
      expect(await patronRow(chat.id)).toMatchObject({ name, email: 'ann.reader@example.org' });

      const view = await staffView(chat.id);
      expect(view.patron).toMatchObject({ name, email: 'ann.reader@example.org', isIdentified: true });
      expect(view.events.filter((e) => e.systemKind === 'identified')).toEqual([
        expect.objectContaining({ type: 'system', author: { kind: 'system' }, seq: view.lastSeq }),
      ]);
    });

    it("keeps the identified event out of the patron's own view of the chat", async () => {
      const chat = await startChat();
      await patronFrame(chat.token, { type: 'identify', email: 'reader@example.org' });
      const poll = await t.app.inject({
        method: 'GET',
        url: '/api/chat/poll?after=0&wait=0',
        headers: { 'x-chat-token': chat.token },
      });
      const kinds = (poll.json() as { frames: Array<{ type: string; event?: { systemKind: string | null } }> }).frames
        .filter((f) => f.type === 'event')
        .map((f) => f.event?.systemKind);
      expect(kinds).toEqual([null, 'queued']);
    });

    it('keeps the email given at the start when the patron later adds only a name', async () => {
      const chat = await startChat({ email: 'reader@example.org' });
      expect((await patronFrame(chat.token, { type: 'identify', name: 'Robin' })).statusCode).toBe(200);
      expect(await patronRow(chat.id)).toMatchObject({ name: 'Robin', email: 'reader@example.org' });
    });

    it('refuses an invalid email or a name with control characters with a typed error, and stores nothing', async () => {
      const chat = await startChat({ name: 'Ann' });
      const before = await conversationRow(chat.id);
      for (const email of ['not-an-email', 'ann@', 'ann reader@example.org', `${'a'.repeat(250)}@example.org`]) {
        expectInvalid(await patronFrame(chat.token, { type: 'identify', name: 'Someone Else', email }), 'email');
      }
      expectInvalid(await patronFrame(chat.token, { type: 'identify', name: 'Ann\u0007' }), 'name');
      expect(await patronRow(chat.id)).toMatchObject({ name: 'Ann', email: null });
      expect((await conversationRow(chat.id)).last_seq).toBe(before.last_seq);
      expect((await staffView(chat.id)).events.some((e) => e.systemKind === 'identified')).toBe(false);
    });
    it('refuses an identify with neither a name nor an email, and records nothing', async () => {
      const chat = await startChat();
      const before = await conversationRow(chat.id);
      expectInvalid(await patronFrame(chat.token, { type: 'identify' }), 'name');
      expect((await conversationRow(chat.id)).last_seq).toBe(before.last_seq);
      expect((await staffView(chat.id)).events.some((e) => e.systemKind === 'identified')).toBe(false);
    });
  });

  describe('leaving a question', () => {
    it('keeps a question left while the desk is closed and unstaffed as a pending web-form conversation', async () => {
      const availability = await t.app.inject({ method: 'GET', url: `/api/chat/desks/${desk.slug}` });
      expect(availability.json()).toMatchObject({ isOpen: false, isStaffed: false, suggestLeavingQuestion: true });

      const message = 'Can I renew <b>by phone</b>?\n<script>alert(1)</script>';
      const left = await leaveQuestion({ email: ' Reader@Example.ORG ', name: 'Pat', message });
      expect(left.statusCode, left.body).toBe(201);
      const { id } = left.json() as { id: string };
      expect(await conversationRow(id)).toMatchObject({
        library_id: library.id,
        desk_id: desk.id,
        channel: 'webform',
        status: 'pending',
        assignee_id: null,
      });
      expect(await patronRow(id)).toMatchObject({ name: 'Pat', email: 'reader@example.org' });

      const view = await call(librarian, 'GET', `/api/conversations/${id}`);
      expect(view.json()).toMatchObject({
        channel: 'webform',
        status: 'pending',
        patron: { email: 'reader@example.org', isIdentified: true },
        events: [
          { seq: 1, type: 'message', author: { kind: 'patron' }, body: message },
          { seq: 2, type: 'system', systemKind: 'left_question' },
        ],
      });
    });

    it('refuses a bad or missing email, an empty message or one over 4000 characters, and creates nothing', async () => {
      const before = { conversations: await countOf('conversations'), patrons: await countOf('patrons') };
      const refused: Array<[object, string]> = [
        [{ email: 'reader-at-example.org', message: 'Hello' }, 'email'],
        [{ email: 'reader@', message: 'Hello' }, 'email'],
        [{ message: 'Hello' }, 'email'],
        [{ email: 'reader@example.org', message: '' }, 'message'],
        [{ email: 'reader@example.org', message: ' \n\t ' }, 'message'],
        [{ email: 'reader@example.org', message: 'x'.repeat(4001) }, 'message'],
      ];
      for (const [body, field] of refused) expectInvalid(await leaveQuestion(body), field);
      expect(await countOf('conversations')).toBe(before.conversations);
      expect(await countOf('patrons')).toBe(before.patrons);

      const longest = await leaveQuestion({ email: 'reader@example.org', message: 'x'.repeat(4000) });
      expect(longest.statusCode, longest.body).toBe(201);
      expect(await countOf('conversations')).toBe(before.conversations + 1);
    });

    it('answers a question sent again with the same client id with the one already kept', async () => {
      const body = { clientId: 'same-question-1', email: 'reader@example.org', message: 'Are you open Sunday?' };
      const first = await leaveQuestion(body);
      expect(first.statusCode, first.body).toBe(201);
      const before = await countOf('conversations');
      const again = await leaveQuestion(body);
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(await countOf('conversations')).toBe(before);
      // A new question (a new client id) is a new conversation.
      expect((await leaveQuestion({ ...body, clientId: 'same-question-2' })).json()).not.toEqual(first.json());
    });

    it('answers not found for a desk that does not exist, and creates nothing', async () => {
      const before = await countOf('conversations');
      const left = await leaveQuestion({ desk: 'no-such-desk', email: 'reader@example.org', message: 'Hello?' });
      expectRefusal(left, 404, 'not_found');
      expect(await countOf('conversations')).toBe(before);
    });
  });
});
