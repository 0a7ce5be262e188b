import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database.ts';
import type { DeskRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  dropConnection,
  sessionFor,
  type SignedIn,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';
import { endConversation } from './chat.service.ts';
import { acceptConversation, sweep } from '../routing/routing.service.ts';

type Frame = { type: string } & Record<string, unknown>;
type PatronEventFrame = { seq: number; body: string; systemKind: string | null; displayName: string | null };
type StaffEventFrame = { seq: number; body: string; type: string; systemKind: string | null };
type ConversationFrame = { id: string; status: string; assigneeId?: string | null; staffDisplayName?: string | null };

const rid = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;
const pEvent = (f: Frame) => f.event as PatronEventFrame;
const sEvent = (f: Frame) => f.event as StaffEventFrame;
const convOf = (f: Frame) => f.conversation as ConversationFrame;

describe.each(dialectsUnderTest())('chat protocol edges on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let base: string;
  let libraryId: string;
  let desk: DeskRow;
  let ipSerial = 0;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    db = t.app.deps.db;
    // The first library built is the one public chat serves.
    libraryId = (await buildLibrary(db)).id;
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.close();
  });
  beforeEach(async () => {
    // A fresh desk per case: people of earlier cases serve other desks, so no offer leaks between cases.
    desk = await buildDesk(db, libraryId, { mode: 'claim' });
  });

  async function open(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(`ws://${base}${path}`, headers);
    sockets.push(socket);
    return socket;
  }

  async function person(options: { role?: string; max?: number; library?: string } = {}) {
    const row = await buildStaff(db, {
      library_id: options.library ?? libraryId,
      role: (options.role ?? 'librarian') as 'librarian',
      max_concurrent_chats: options.max ?? 3,
    });
    return { row, session: await sessionFor(t.app, row) };
  }

  async function staffTab(session: SignedIn, subscriptions: unknown[] = []): Promise<TestSocket> {
    const socket = await open('/api/staff/ws', { cookie: session.cookie });
    socket.send({ type: 'hello', subscriptions });
    await socket.nextOfType('welcome');
    return socket;
  }

  async function available(tab: TestSocket, deskIds = [desk.id]): Promise<void> {
    tab.send({ type: 'presence.set', status: 'available', deskIds });
    await tab.nextOfType('presence');
  }

  async function startChat(message = 'Do you have large-print books?') {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: desk.slug, clientId: rid('start'), message },
      remoteAddress: `10.77.${Math.floor(ipSerial / 250)}.${(ipSerial++ % 250) + 1}`,
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { token: string; conversation: { id: string } };
    return { token: body.token, conversationId: body.conversation.id };
  }

  async function patron(token: string, after = 0): Promise<TestSocket> {
    const socket = await open('/api/chat/ws');
    socket.send({ type: 'hello', token, after });
    await socket.nextOfType('welcome');
    return socket;
  }

  const offerFor = (conversationId: string) => (f: Frame) => f.type === 'offer' && convOf(f).id === conversationId;

  /** A chat accepted by a fresh person, with the patron and the person's tab connected. */
  async function activeChat(options: { max?: number } = {}) {
    const staff = await person(options);
    const staffSocket = await staffTab(staff.session);
    await available(staffSocket);
    const { token, conversationId } = await startChat();
    const patronSocket = await patron(token);
    await staffSocket.next(offerFor(conversationId));
    staffSocket.send({ type: 'conversation.accept', conversationId });
    await patronSocket.next((f) => f.type === 'state' && convOf(f).status === 'active');
    // The console follows the chat once its accept is answered; passing signals sent before are not replayed.
    await settled(staffSocket);
    return { staff, token, conversationId, patronSocket, staffSocket };
  }

  const staffCall = (session: SignedIn, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: session.headers, ...(payload ? { payload } : {}) });
  const patronFrame = (token: string, frame: object) =>
    t.app.inject({ method: 'POST', url: '/api/chat/frames', headers: { 'x-chat-token': token }, payload: frame });
  const poll = (token: string | undefined, query: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/chat/poll?${query}`,
      headers: token === undefined ? {} : { 'x-chat-token': token },
    });
  const row = (id: string) => db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = (id: string) =>
    db.selectFrom('conversation_events').selectAll().where('conversation_id', '=', id).orderBy('seq').execute();
  /** Waits until every frame sent so far on `socket` has been handled (frames run in order). */
  async function settled(socket: TestSocket): Promise<void> {
    socket.send({ type: 'ping' });
    await socket.nextOfType('pong');
  }

  const errorCode = (response: { json(): unknown }) => (response.json() as { error: { code: string } }).error.code;
  const conversationOf = (response: { json(): unknown }) => response.json() as ConversationFrame & { deskId: string };

  describe('transfers', () => {
    it('refuses a colleague who is offline, gone, full, of another library, inactive, a partner or oneself, and changes nothing', async () => {
      const { staff, conversationId, patronSocket } = await activeChat();
      const before = await events(conversationId);
      const target = async (options: { role?: string; max?: number; library?: string; active?: boolean } = {}) => {
        const row = await buildStaff(db, {
          library_id: options.library ?? libraryId,
          role: (options.role ?? 'librarian') as 'librarian',
          max_concurrent_chats: options.max ?? 3,
          is_active: options.active ?? true,
        });
        await buildPresence(db, row.id, []);
        return row;
      };
      const offline = await buildStaff(db, { library_id: libraryId });
      await buildPresence(db, offline.id, [], 'offline');
      const gone = await target();
      await dropConnection(db, 'staff', gone.id);
      const full = await target({ max: 1 });
      await buildConversation(db, { library_id: libraryId, desk_id: desk.id, status: 'active', assignee_id: full.id });
      const foreignLibrary = await buildLibrary(db);
      const foreign = await target({ library: foreignLibrary.id });
      const inactive = await target({ active: false });
      const partner = await target({ role: 'partner' });

      const transfer = (body: object) =>
        staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, body);
      for (const [who, status] of [
        [offline.id, 409],
        [gone.id, 409],
        [full.id, 409],
        [staff.row.id, 409],
        [foreign.id, 404],
        [inactive.id, 404],
        [partner.id, 404],
        ['00000000-0000-4000-8000-000000000000', 404],
      ] as const) {
        const response = await transfer({ toStaffId: who, note: 'Over to you' });
        expect(response.statusCode, `${who}: ${response.body}`).toBe(status);
      }
      expect(errorCode(await transfer({ toStaffId: staff.row.id }))).toBe('conflict');

      const inactiveDesk = await buildDesk(db, libraryId, { is_active: false });
      const foreignDesk = await buildDesk(db, foreignLibrary.id);
      for (const toDeskId of [inactiveDesk.id, foreignDesk.id, '00000000-0000-4000-8000-000000000000']) {
        const response = await transfer({ toDeskId });
        expect(response.statusCode, response.body).toBe(404);
      }
      const both = await transfer({ toStaffId: gone.id, toDeskId: desk.id });
      expect(both.statusCode).toBe(400);
      expect(errorCode(await transfer({ note: 'nowhere' }))).toBe('validation_failed');

      expect(await row(conversationId)).toMatchObject({
        status: 'active',
        assignee_id: staff.row.id,
        desk_id: desk.id,
      });
      expect(await events(conversationId)).toEqual(before);
      await settled(patronSocket);
      expect(patronSocket.frames.filter((f) => f.type === 'event' && pEvent(f).systemKind === 'transferred')).toEqual(
        [],
      );
    });

    it('refuses to transfer a chat that is still waiting or has ended', async () => {
      const supervisor = await person({ role: 'supervisor' });
      const colleague = await person();
      await buildPresence(db, colleague.row.id, []);
      const waiting = await startChat();
      const queued = await staffCall(
        supervisor.session,
        'POST',
        `/api/conversations/${waiting.conversationId}/transfer`,
        {
          toStaffId: colleague.row.id,
        },
      );
      expect(queued.statusCode, queued.body).toBe(409);
      expect(await row(waiting.conversationId)).toMatchObject({ status: 'queued', assignee_id: null });

      const { staff, conversationId } = await activeChat();
      expect((await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/end`)).statusCode).toBe(200);
      const before = await events(conversationId);
      const ended = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, {
        toStaffId: colleague.row.id,
      });
      expect(ended.statusCode, ended.body).toBe(409);
      const toDesk = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, {
        toDeskId: desk.id,
      });
      expect(toDesk.statusCode, toDesk.body).toBe(409);
      expect(await row(conversationId)).toMatchObject({ status: 'resolved', assignee_id: staff.row.id });
      expect(await events(conversationId)).toEqual(before);
    });

    it('to a colleague: the patron is told who took over, never the notes; only the new assignee can reply', async () => {
      const { staff, token, conversationId, patronSocket, staffSocket } = await activeChat();
      const colleague = await person();
      const colleagueTab = await staffTab(colleague.session);
      await available(colleagueTab, []);
      staffSocket.send({
        type: 'message.send',
        conversationId,
        clientId: 'note-before-transfer',
        body: 'SECRET-NOTE-ONE patron seems upset',
        internal: true,
      });
      await staffSocket.next((f) => f.type === 'ack' && f.clientId === 'note-before-transfer');
      staffSocket.send({
        type: 'conversation.transfer',
        conversationId,
        toStaffId: colleague.row.id,
        note: '  SECRET-NOTE-TWO asked about fines  ',
      });

      const told = await patronSocket.next((f) => f.type === 'event' && pEvent(f).systemKind === 'transferred');
      expect(pEvent(told)).toMatchObject({ from: 'system', displayName: colleague.row.display_name });
      const state = await patronSocket.next((f) => f.type === 'state' && convOf(f).staffDisplayName !== undefined);
      expect(convOf(state)).toMatchObject({ status: 'active', staffDisplayName: colleague.row.display_name });

      // The colleague's tabs follow the chat at once, notes included.
      await colleagueTab.next(
        (f) =>
          f.type === 'conversation' && convOf(f).id === conversationId && convOf(f).assigneeId === colleague.row.id,
      );
      const note = await colleagueTab.next(
        (f) =>
          f.type === 'event' &&
          sEvent(f).type === 'note' &&
          f.conversationId === conversationId &&
          sEvent(f).body.includes('SECRET-NOTE-TWO'),
      );
      expect(sEvent(note).body).toBe('SECRET-NOTE-TWO asked about fines');

      const countBefore = (await events(conversationId)).length;
      staffSocket.send({ type: 'message.send', conversationId, clientId: 'old-assignee-1', body: 'Still me!' });
      expect(await staffSocket.next((f) => f.type === 'error' && f.clientId === 'old-assignee-1')).toMatchObject({
        code: 'forbidden',
        conversationId,
      });
      const http = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/messages`, {
        clientId: 'old-assignee-2',
        body: 'Me again',
      });
      expect(http.statusCode).toBe(403);
      expect((await events(conversationId)).length).toBe(countBefore);

      colleagueTab.send({ type: 'message.send', conversationId, clientId: 'new-assignee-1', body: 'Hi, I can help.' });
      await colleagueTab.next((f) => f.type === 'ack' && f.clientId === 'new-assignee-1');
      const reply = await patronSocket.next((f) => f.type === 'event' && pEvent(f).body === 'Hi, I can help.');
      expect(pEvent(reply)).toMatchObject({ from: 'staff', displayName: colleague.row.display_name });

      const polled = await poll(token, 'after=0&wait=0');
      expect(polled.statusCode).toBe(200);
      expect(polled.body).not.toContain('SECRET-NOTE');
      expect(JSON.stringify(patronSocket.frames)).not.toContain('SECRET-NOTE');
    });

    it('to a desk: the patron waits again, told which desk, and the last assignee can no longer reply', async () => {
      const { staff, conversationId, patronSocket } = await activeChat();
      const otherDesk = await buildDesk(db, libraryId, { mode: 'claim' });
      const helper = await person();
      const helperTab = await staffTab(helper.session);
      await available(helperTab, [otherDesk.id]);
      const moved = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, {
        toDeskId: otherDesk.id,
        note: 'SECRET-DESK-NOTE e-reader trouble',
      });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(conversationOf(moved)).toMatchObject({ status: 'queued', assigneeId: null, deskId: otherDesk.id });

      const told = await patronSocket.next((f) => f.type === 'event' && pEvent(f).systemKind === 'transferred');
      expect(pEvent(told).displayName).toBe(otherDesk.name);
      const state = await patronSocket.next((f) => f.type === 'state' && convOf(f).status === 'queued');
      expect(state.conversation).toMatchObject({
        deskName: otherDesk.name,
        staffDisplayName: null,
        queue: { position: 1 },
      });
      await helperTab.next(offerFor(conversationId));

      const reply = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/messages`, {
        clientId: 'after-desk-transfer',
        body: 'Are you still there?',
      });
      expect(reply.statusCode).toBe(403);
      expect(JSON.stringify(patronSocket.frames)).not.toContain('SECRET-DESK-NOTE');
    });

    it('a transfer racing with the patron ending leaves one consistent story', async () => {
      const { staff, token, conversationId } = await activeChat();
      const colleague = await person();
      await buildPresence(db, colleague.row.id, []);
      const [transfer, end] = await Promise.all([
        staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, {
          toStaffId: colleague.row.id,
        }),
        patronFrame(token, { type: 'end' }),
      ]);
      expect(end.statusCode).toBe(200);
      expect([200, 409]).toContain(transfer.statusCode);
      const log = await events(conversationId);
      const ended = log.filter((e) => e.system_kind === 'ended');
      expect(ended).toHaveLength(1);
      expect(log.at(-1)?.system_kind).toBe('ended');
      const transferred = log.filter((e) => e.system_kind === 'transferred');
      const final = await row(conversationId);
      expect(final.status).toBe('resolved');
      if (transfer.statusCode === 200) {
        expect(transferred).toHaveLength(1);
        expect(final.assignee_id).toBe(colleague.row.id);
      } else {
        expect(transferred).toEqual([]);
        expect(final.assignee_id).toBe(staff.row.id);
      }
    });
  });

  describe('ending and rating', () => {
    it('a patron who ends while it rings unanswered counts it missed; a second end, or staff ending after, adds nothing', async () => {
      const ringing = await person();
      const ringingTab = await staffTab(ringing.session);
      await available(ringingTab);
      const { token, conversationId } = await startChat();
      const patronSocket = await patron(token);
      await ringingTab.next(offerFor(conversationId));

      patronSocket.send({ type: 'end' });
      const missed = await patronSocket.next((f) => f.type === 'event' && pEvent(f).systemKind === 'missed');
      expect(pEvent(missed).body).toBe('The patron ended the chat before anyone answered');
      await patronSocket.next((f) => f.type === 'state' && convOf(f).status === 'missed');
      expect(
        await ringingTab.next((f) => f.type === 'offer.withdrawn' && f.conversationId === conversationId),
      ).toMatchObject({ reason: 'abandoned' });

      const before = await events(conversationId);
      patronSocket.send({ type: 'end' });
      await settled(patronSocket);
      expect((await patronFrame(token, { type: 'end' })).json()).toEqual({ frames: [] });
      const supervisor = await person({ role: 'supervisor' });
      const staffEnd = await staffCall(supervisor.session, 'POST', `/api/conversations/${conversationId}/end`);
      expect(staffEnd.statusCode).toBe(200);
      expect(conversationOf(staffEnd).status).toBe('missed');
      expect(await events(conversationId)).toEqual(before);

      ringingTab.send({ type: 'conversation.accept', conversationId });
      expect(await ringingTab.next((f) => f.type === 'error' && f.conversationId === conversationId)).toMatchObject({
        code: 'conflict',
      });
      expect(await row(conversationId)).toMatchObject({ status: 'missed', assignee_id: null });
    });

    it('a patron who ends an answered chat resolves it; staff ending after adds nothing, and nobody can still talk', async () => {
      const { conversationId, patronSocket, staffSocket } = await activeChat();
      patronSocket.send({ type: 'end' });
      const ended = await staffSocket.next(
        (f) => f.type === 'event' && f.conversationId === conversationId && sEvent(f).systemKind === 'ended',
      );
      expect(ended.event).toMatchObject({ body: 'The patron ended the chat', data: { by: 'patron' } });
      await patronSocket.next((f) => f.type === 'state' && convOf(f).status === 'resolved');
      const before = await events(conversationId);

      staffSocket.send({ type: 'conversation.end', conversationId });
      staffSocket.send({ type: 'message.send', conversationId, clientId: 'after-end-staff', body: 'Bye!' });
      expect(await staffSocket.next((f) => f.type === 'error' && f.clientId === 'after-end-staff')).toMatchObject({
        code: 'conflict',
      });
      patronSocket.send({ type: 'end' });
      patronSocket.send({ type: 'typing', isTyping: true });
      await settled(patronSocket);
      staffSocket.send({ type: 'typing', conversationId, isTyping: true });
      await settled(staffSocket);
      await settled(patronSocket);
      expect(staffSocket.frames.filter((f) => f.type === 'typing')).toEqual([]);
      expect(patronSocket.frames.filter((f) => f.type === 'typing')).toEqual([]);
      expect(await events(conversationId)).toEqual(before);
      expect((await row(conversationId)).status).toBe('resolved');
    });

    it('takes a rating only once the chat has ended and in range, keeps a hostile comment as text, and keeps the latest', async () => {
      const { staff, token, conversationId, patronSocket } = await activeChat();
      patronSocket.send({ type: 'rating.submit', score: 5, comment: 'Too early' });
      expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'conflict' });
      const early = await patronFrame(token, { type: 'rating.submit', score: 4 });
      expect(early.json()).toMatchObject({ frames: [{ type: 'error', code: 'conflict' }] });
      expect((await row(conversationId)).rating_score).toBeNull();

      expect((await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/end`)).statusCode).toBe(200);
      for (const frame of [
        { type: 'rating.submit', score: 0 },
        { type: 'rating.submit', score: 6 },
        { type: 'rating.submit', score: 2.5 },
        { type: 'rating.submit', score: '5' },
        { type: 'rating.submit', score: 5, comment: 'x'.repeat(1001) },
        { type: 'rating.submit', score: 5, extra: true },
      ]) {
        const response = await patronFrame(token, frame);
        expect(response.statusCode, JSON.stringify(frame)).toBe(400);
      }
      patronSocket.send({ type: 'rating.submit', score: -1 });
      expect(await patronSocket.next((f) => f.type === 'error' && f.code === 'validation_failed')).toBeDefined();
      expect((await row(conversationId)).rating_score).toBeNull();
      expect((await events(conversationId)).filter((e) => e.system_kind === 'rated')).toEqual([]);

      const hostile = `<img src=x onerror="alert(1)"> '); DROP TABLE conversations; -- {{7*7}}`;
      const rated = await patronFrame(token, { type: 'rating.submit', score: 1, comment: `  ${hostile}  ` });
      expect(rated.json()).toMatchObject({
        frames: [{ type: 'state', conversation: { rating: { score: 1, comment: hostile } } }],
      });
      expect(await row(conversationId)).toMatchObject({ rating_score: 1, rating_comment: hostile });

      patronSocket.send({ type: 'rating.submit', score: 4 });
      const again = await patronSocket.next(
        (f) => f.type === 'state' && (f.conversation as { rating: { score: number } | null }).rating?.score === 4,
      );
      expect(again.conversation).toMatchObject({ rating: { score: 4, comment: '' }, status: 'resolved' });
      expect(await row(conversationId)).toMatchObject({ rating_score: 4, rating_comment: '', status: 'resolved' });
    });
  });

  describe('seen and typing', () => {
    it('clamps a patron seen past the last event, refuses a negative one and ignores one going backwards', async () => {
      const { conversationId, patronSocket, staffSocket } = await activeChat();
      const lastSeq = (await row(conversationId)).last_seq;
      patronSocket.send({ type: 'seen', seq: 1_000_000 });
      expect(await staffSocket.next((f) => f.type === 'seen' && f.conversationId === conversationId)).toEqual({
        type: 'seen',
        conversationId,
        seq: lastSeq,
      });
      expect((await row(conversationId)).patron_seen_seq).toBe(lastSeq);

      patronSocket.send({ type: 'seen', seq: -1 });
      expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'validation_failed' });
      patronSocket.send({ type: 'seen', seq: 1 });
      await settled(patronSocket);
      await settled(staffSocket);
      expect(staffSocket.frames.filter((f) => f.type === 'seen')).toHaveLength(1);
      expect((await row(conversationId)).patron_seen_seq).toBe(lastSeq);
      // The patron's own mark is not echoed back as if staff had seen it.
      expect(patronSocket.frames.filter((f) => f.type === 'seen')).toEqual([]);
    });

    it('clamps a staff seen past the last event, and quietly ignores one from a colleague not handling the chat', async () => {
      const { conversationId, patronSocket, staffSocket } = await activeChat();
      const lastSeq = (await row(conversationId)).last_seq;
      const colleague = await person();
      const colleagueTab = await staffTab(colleague.session, [{ conversationId, after: 0 }]);
      colleagueTab.send({ type: 'seen', conversationId, seq: lastSeq });
      colleagueTab.send({ type: 'typing', conversationId, isTyping: true });
      await settled(colleagueTab);
      await settled(patronSocket);
      expect(colleagueTab.frames.filter((f) => f.type === 'error')).toEqual([]);
      expect(patronSocket.frames.filter((f) => f.type === 'seen' || f.type === 'typing')).toEqual([]);
      expect((await row(conversationId)).staff_seen_seq).toBe(0);

      staffSocket.send({ type: 'seen', conversationId, seq: 999_999 });
      expect(await patronSocket.nextOfType('seen')).toEqual({ type: 'seen', seq: lastSeq });
      expect((await row(conversationId)).staff_seen_seq).toBe(lastSeq);
      staffSocket.send({ type: 'typing', conversationId, isTyping: true });
      expect(await patronSocket.nextOfType('typing')).toMatchObject({
        isTyping: true,
        displayName: expect.any(String),
      });
    });
  });

  describe('HTTP fallback', () => {
    it('refuses a poll whose after or wait is negative, fractional, not a number or out of range', async () => {
      const { token } = await startChat();
      for (const query of [
        'after=-1&wait=0',
        'after=abc&wait=0',
        'after=1.5&wait=0',
        'wait=0',
        'after=0&wait=26',
        'after=0&wait=-1',
        'after=0&wait=soon',
        'after=0&wait=0&extra=1',
      ]) {
        const response = await poll(token, query);
        expect(response.statusCode, query).toBe(400);
        expect(errorCode(response)).toBe('validation_failed');
      }
    });

    it('answers a poll after the last event with the state alone, at once', async () => {
      const { token, conversationId } = await startChat();
      const response = await poll(token, 'after=1000&wait=0');
      expect(response.statusCode).toBe(200);
      const frames = (response.json() as { frames: Frame[] }).frames;
      expect(frames.filter((f) => f.type === 'event')).toEqual([]);
      expect(frames.at(-1)).toMatchObject({ type: 'state', conversation: { id: conversationId, lastSeq: 2 } });
    });

    it('wakes a waiting patron’s long poll when the queue moves, with their new place', async () => {
      const chats = [await startChat('One in line'), await startChat('Another in line')];
      // This file's clock stands still, so both were queued at the same moment: routing's order
      // (then by id) decides which is ahead.
      const places = await Promise.all(
        chats.map(async (chat) => {
          const answer = (await poll(chat.token, 'after=2&wait=0')).json() as { frames: Frame[] };
          return (answer.frames.at(-1)?.conversation as { queue: { position: number } }).queue.position;
        }),
      );
      expect([...places].sort()).toEqual([1, 2]);
      const [ahead, behind] = places[0] === 1 ? [chats[0]!, chats[1]!] : [chats[1]!, chats[0]!];
      const waiting = poll(behind.token, 'after=2&wait=25');
      const staff = await person();
      const tab = await staffTab(staff.session);
      await available(tab);
      tab.send({ type: 'conversation.accept', conversationId: ahead.conversationId });
      // The poll must answer when the queue moves, not when its 25 s wait ends: this case's
      // time limit (15 s) is shorter than the wait.
      const woken = (await waiting).json() as { frames: Frame[] };
      expect(woken.frames.filter((f) => f.type === 'event')).toEqual([]);
      expect(woken.frames.at(-1)).toMatchObject({
        type: 'state',
        conversation: { id: behind.conversationId, status: 'queued', queue: { position: 1 } },
      });
    }, 15_000);

    it('refuses polls and frames with a missing or forged token, and frames of unknown type or shape, storing nothing', async () => {
      const mine = await startChat();
      const theirs = await startChat();
      const theirsBefore = await events(theirs.conversationId);
      const mineBefore = await events(mine.conversationId);
      for (const token of [undefined, '', 'short', 'x'.repeat(101), 'forged-token-forged-token-forged-token']) {
        expect((await poll(token, 'after=0&wait=0')).statusCode, String(token)).toBe(401);
        const sent = await t.app.inject({
          method: 'POST',
          url: '/api/chat/frames',
          headers: token === undefined ? {} : { 'x-chat-token': token },
          payload: { type: 'message.send', clientId: rid('forged'), body: 'Let me in' },
        });
        expect(sent.statusCode, String(token)).toBe(401);
      }
      for (const frame of [
        { type: 'teleport' },
        { type: 'message.send', clientId: 'extra-field', body: 'Hi', conversationId: theirs.conversationId },
        { type: 'message.send', clientId: 'no-body' },
        { type: 'typing' },
        { type: 'seen', seq: 'all' },
      ]) {
        const response = await patronFrame(mine.token, frame);
        expect(response.statusCode, JSON.stringify(frame)).toBe(400);
      }
      // A token only ever reaches its own chat.
      const own = await patronFrame(mine.token, { type: 'message.send', clientId: 'mine-only', body: 'For my chat' });
      expect(own.json()).toMatchObject({ frames: [{ type: 'ack', clientId: 'mine-only', seq: 3 }] });
      expect(await events(theirs.conversationId)).toEqual(theirsBefore);
      expect((await events(mine.conversationId)).map((e) => e.body)).toEqual([
        ...mineBefore.map((e) => e.body),
        'For my chat',
      ]);
    });

    it('stores a message sent over the WebSocket and again over HTTP with the same clientId once, and the reverse', async () => {
      const { token, conversationId, patronSocket, staffSocket } = await activeChat();
      patronSocket.send({ type: 'message.send', clientId: 'both-ways-1', body: 'Over the socket' });
      const ack = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'both-ways-1');
      const again = await patronFrame(token, {
        type: 'message.send',
        clientId: 'both-ways-1',
        body: 'Over the socket',
      });
      expect(again.json()).toEqual({ frames: [{ type: 'ack', clientId: 'both-ways-1', seq: ack.seq }] });

      const first = await patronFrame(token, { type: 'message.send', clientId: 'both-ways-2', body: 'Over HTTP' });
      const seq = (first.json() as { frames: Array<{ seq: number }> }).frames[0]?.seq;
      patronSocket.send({ type: 'message.send', clientId: 'both-ways-2', body: 'Over HTTP' });
      expect(await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'both-ways-2')).toMatchObject({ seq });

      const stored = (await events(conversationId)).filter((e) => e.client_id?.startsWith('both-ways-'));
      expect(stored.map((e) => e.body)).toEqual(['Over the socket', 'Over HTTP']);
      await staffSocket.next((f) => f.type === 'event' && sEvent(f).body === 'Over HTTP');
      await settled(staffSocket);
      expect(staffSocket.frames.filter((f) => f.type === 'event' && sEvent(f).body.startsWith('Over '))).toHaveLength(
        2,
      );
    });

    it('a patron saying hello after a seq beyond the log still receives what comes next', async () => {
      const { token, conversationId, staffSocket } = await activeChat();
      const wild = await patron(token, 1_000_000);
      staffSocket.send({ type: 'message.send', conversationId, clientId: 'after-wild-hello', body: 'Are you there?' });
      const got = await wild.next((f) => f.type === 'event' && pEvent(f).body === 'Are you there?');
      expect(pEvent(got).seq).toBe((await row(conversationId)).last_seq);
      expect(wild.frames.filter((f) => f.type === 'event')).toHaveLength(1);
    });
  });

  describe('staff WebSocket', () => {
    it("answers not found for another library's conversation, in hello, on subscribe and on every action, and leaks none of it", async () => {
      const foreignLibrary = await buildLibrary(db);
      const foreignDesk = await buildDesk(db, foreignLibrary.id);
      const foreignStaff = await buildStaff(db, { library_id: foreignLibrary.id });
      const foreign = await buildConversation(db, {
        library_id: foreignLibrary.id,
        desk_id: foreignDesk.id,
        status: 'active',
        assignee_id: foreignStaff.id,
      });
      const conversationId = foreign.id;
      const admin = await person({ role: 'admin' });
      const tab = await open('/api/staff/ws', { cookie: admin.session.cookie });
      tab.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
      await tab.nextOfType('welcome');
      expect(await tab.nextOfType('error')).toMatchObject({ code: 'not_found', conversationId });
      const frames = [
        { type: 'subscribe', conversationId, after: 0 },
        { type: 'conversation.accept', conversationId },
        { type: 'message.send', conversationId, clientId: 'foreign-send', body: 'Hello from elsewhere' },
        { type: 'message.send', conversationId, clientId: 'foreign-note', body: 'A note', internal: true },
        { type: 'typing', conversationId, isTyping: true },
        { type: 'seen', conversationId, seq: 1 },
        { type: 'conversation.transfer', conversationId, toDeskId: desk.id },
        { type: 'conversation.end', conversationId },
        { type: 'conversation.wrapup', conversationId, tags: ['x'], readScale: 1 },
        { type: 'patron.block', conversationId, minutes: 5, reason: 'spam', scope: 'network' },
      ];
      for (const frame of frames) {
        tab.send(frame);
        expect(await tab.nextOfType('error'), frame.type).toMatchObject({ code: 'not_found', conversationId });
      }
      await settled(tab);
      expect(tab.frames.filter((f) => f.type === 'event' || f.type === 'conversation')).toEqual([]);
      expect(JSON.stringify(tab.frames)).not.toContain('Hello?');
      expect(await row(conversationId)).toMatchObject({
        status: 'active',
        assignee_id: foreignStaff.id,
        last_seq: 1,
        staff_seen_seq: 0,
        tags_json: foreign.tags_json,
      });
      const read = await staffCall(admin.session, 'GET', `/api/conversations/${conversationId}`);
      expect(read.statusCode).toBe(404);
    });

    it('refuses to accept a chat already taken by a colleague, or abandoned, naming who took it', async () => {
      const first = await person();
      const second = await person();
      const firstTab = await staffTab(first.session);
      const secondTab = await staffTab(second.session);
      await available(firstTab);
      await available(secondTab);
      const taken = await startChat();
      await firstTab.next(offerFor(taken.conversationId));
      await secondTab.next(offerFor(taken.conversationId));
      firstTab.send({ type: 'conversation.accept', conversationId: taken.conversationId });
      expect(
        await secondTab.next((f) => f.type === 'offer.withdrawn' && f.conversationId === taken.conversationId),
      ).toMatchObject({ reason: 'taken', takenBy: first.row.display_name });
      secondTab.send({ type: 'conversation.accept', conversationId: taken.conversationId });
      const refused = await secondTab.next((f) => f.type === 'error' && f.conversationId === taken.conversationId);
      expect(refused).toMatchObject({ code: 'conflict' });
      expect(String(refused.message)).toContain(first.row.display_name);

      const left = await startChat();
      await secondTab.next(offerFor(left.conversationId));
      await patronFrame(left.token, { type: 'end' });
      expect(
        await secondTab.next((f) => f.type === 'offer.withdrawn' && f.conversationId === left.conversationId),
      ).toMatchObject({ reason: 'abandoned' });
      secondTab.send({ type: 'conversation.accept', conversationId: left.conversationId });
      expect(await secondTab.next((f) => f.type === 'error' && f.conversationId === left.conversationId)).toMatchObject(
        { code: 'conflict' },
      );
      expect(await row(taken.conversationId)).toMatchObject({ status: 'active', assignee_id: first.row.id });
      expect(await row(left.conversationId)).toMatchObject({ status: 'missed', assignee_id: null });
    });

    it('refuses an accept at the chat limit and leaves the chat waiting for someone else', async () => {
      const { staffSocket } = await activeChat({ max: 1 });
      const { conversationId } = await startChat();
      staffSocket.send({ type: 'conversation.accept', conversationId });
      const refused = await staffSocket.next((f) => f.type === 'error' && f.conversationId === conversationId);
      expect(refused).toMatchObject({ code: 'conflict' });
      expect(await row(conversationId)).toMatchObject({ status: 'queued', assignee_id: null });
      expect(staffSocket.frames.filter(offerFor(conversationId))).toEqual([]);
    });

    it('answers a second hello with nothing and sends no event twice', async () => {
      const { conversationId, staffSocket } = await activeChat();
      const welcomes = staffSocket.frames.filter((f) => f.type === 'welcome').length;
      staffSocket.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
      await settled(staffSocket);
      staffSocket.send({ type: 'subscribe', conversationId, after: 0 });
      await settled(staffSocket);
      expect(staffSocket.frames.filter((f) => f.type === 'welcome')).toHaveLength(welcomes);
      const seqs = staffSocket.frames
        .filter((f) => f.type === 'event' && f.conversationId === conversationId)
        .map((f) => sEvent(f).seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    });
  });

  describe('flooding', () => {
    it('limits a patron per conversation across two tabs and HTTP, naming each refused message and storing none of them', async () => {
      const { token, conversationId, patronSocket } = await activeChat();
      const secondTab = await patron(token, (await row(conversationId)).last_seq);
      const limit = t.config.chatMessagesPer10s;
      const before = (await events(conversationId)).length;
      const tabs = [patronSocket, secondTab];
      const answers: Array<Promise<Frame>> = [];
      for (let i = 0; i < limit + 6; i++) {
        const clientId = `flood-${i.toString().padStart(3, '0')}`;
        const body = { type: 'message.send', clientId, body: `Message ${i}` };
        if (i % 3 === 2) {
          answers.push(patronFrame(token, body).then((r) => (r.json() as { frames: Frame[] }).frames[0] as Frame));
        } else {
          const tab = tabs[i % 3] as TestSocket;
          tab.send(body);
          answers.push(tab.next((f) => (f.type === 'ack' || f.type === 'error') && f.clientId === clientId));
        }
      }
      const got = await Promise.all(answers);
      const acked = got.filter((f) => f.type === 'ack').map((f) => f.clientId);
      const refused = got.filter((f) => f.type === 'error');
      expect(acked).toHaveLength(limit);
      expect(refused).toHaveLength(6);
      for (const error of refused) expect(error).toMatchObject({ code: 'rate_limited', clientId: expect.any(String) });
      const stored = (await events(conversationId)).slice(before).map((e) => e.client_id);
      expect(stored.sort()).toEqual([...acked].sort());
      for (const error of refused) expect(stored).not.toContain(error.clientId);
    });
  });

  describe('races and stale reads', () => {
    it('a staff subscription whose cursor is past the log still receives what comes next', async () => {
      const { conversationId, patronSocket } = await activeChat();
      const reader = await person({ role: 'supervisor' });
      const tab = await staffTab(reader.session, [{ conversationId, after: 1000 }]);
      // Subscriptions asked for in the hello are made after the welcome; a message sent before
      // then is part of the log the cursor is moved to the end of.
      await settled(tab);
      patronSocket.send({ type: 'message.send', clientId: rid('late'), body: 'Anyone reading this?' });
      const event = await tab.next((f) => f.type === 'event' && f.conversationId === conversationId);
      expect(sEvent(event)).toMatchObject({ body: 'Anyone reading this?' });
      const other = await staffTab(reader.session);
      other.send({ type: 'subscribe', conversationId, after: 5000 });
      await settled(other);
      patronSocket.send({ type: 'message.send', clientId: rid('later'), body: 'Still here' });
      expect(sEvent(await other.next((f) => f.type === 'event'))).toMatchObject({ body: 'Still here' });
    });

    it('when one tab accepts, the person’s other tabs show the chat as theirs', async () => {
      const staff = await person();
      const tabA = await staffTab(staff.session);
      const tabB = await staffTab(staff.session);
      await available(tabA);
      const { conversationId } = await startChat();
      await tabA.next(offerFor(conversationId));
      await tabB.next(offerFor(conversationId));
      tabA.send({ type: 'conversation.accept', conversationId });
      const shown = await tabB.next(
        (f) => f.type === 'conversation' && convOf(f).id === conversationId && convOf(f).status === 'active',
      );
      expect(convOf(shown)).toMatchObject({ assigneeId: staff.row.id });
    });

    it('holds the chat limit when the same person accepts two chats at once', async () => {
      const staff = await person({ max: 1 });
      const tab = await staffTab(staff.session);
      await available(tab);
      const first = await startChat('First at once');
      const second = await startChat('Second at once');
      const actor = {
        kind: 'staff' as const,
        staffId: staff.row.id,
        libraryId,
        role: 'librarian' as const,
      };
      const results = await Promise.allSettled([
        acceptConversation(t.app.deps, actor, first.conversationId),
        acceptConversation(t.app.deps, actor, second.conversationId),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
      const active = await db
        .selectFrom('conversations')
        .select('id')
        .where('assignee_id', '=', staff.row.id)
        .where('status', '=', 'active')
        .execute();
      expect(active).toHaveLength(1);
    });

    it('ends a chat accepted after the end was asked for as resolved, never abandoned', async () => {
      const staff = await person();
      const tab = await staffTab(staff.session);
      await available(tab);
      const { conversationId } = await startChat();
      const stale = await row(conversationId);
      const actor = { kind: 'staff' as const, staffId: staff.row.id, libraryId, role: 'librarian' as const };
      await acceptConversation(t.app.deps, actor, conversationId);
      await endConversation(t.app.deps, stale, 'patron');
      expect((await row(conversationId)).status).toBe('resolved');
      expect((await events(conversationId)).at(-1)).toMatchObject({ system_kind: 'ended' });
    });

    it('counts a chat answered and then sent back to a queue as resolved when the patron ends or leaves it', async () => {
      for (const how of ['ends', 'leaves'] as const) {
        const { staff, conversationId, patronSocket } = await activeChat();
        const otherDesk = await buildDesk(db, libraryId, { mode: 'claim' });
        const moved = await staffCall(staff.session, 'POST', `/api/conversations/${conversationId}/transfer`, {
          toDeskId: otherDesk.id,
        });
        expect(moved.statusCode, moved.body).toBe(200);
        if (how === 'ends') {
          patronSocket.send({ type: 'end' });
          await expect.poll(async () => (await row(conversationId)).status).toBe('resolved');
        } else {
          await patronSocket.close();
          await expect.poll(async () => (await row(conversationId)).patron_left_at).not.toBeNull();
          t.clock.advanceMinutes(t.config.chatReconnectGraceSeconds / 60 + 1);
          await sweep(t.app.deps);
          expect((await row(conversationId)).status).toBe('resolved');
        }
      }
    });
  });
});
