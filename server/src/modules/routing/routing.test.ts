import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics, type BusMessage } from '../../platform/bus.ts';
import type { StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  dropConnection,
  holdConnection,
  staffActor as actorOf,
  ringingStaff,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { endByStaff, transferConversation } from '../chat/staff-chat.service.ts';
import { startChat } from '../chat/chat.service.ts';
import { estimateWait } from '../chat/patron-view.ts';
import {
  acceptConversation,
  declineOffer,
  queueSnapshot,
  setPresence,
  staffConnected,
  staffDisconnected,
  sweep,
} from './routing.service.ts';

let counter = 0;
const clientId = () => `client-${(counter++).toString().padStart(6, '0')}`;

describe.each(dialectsUnderTest())('routing on %s', (dialect) => {
  let t: TestApp;
  let app: FastifyInstance;
  let libraryId: string;
  let claimDesk: { id: string; slug: string };
  let assignDesk: { id: string; slug: string };
  const heard: Array<{ topic: string; message: BusMessage }> = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    app = t.app;
    // Public chat serves the deployment's library; each case gets fresh desks and people instead.
    libraryId = (await buildLibrary(app.deps.db)).id;
  });
  afterAll(async () => t.close());

  beforeEach(async () => {
    // Fresh desks per case: earlier cases' people serve other desks, so nothing leaks between cases.
    claimDesk = await buildDesk(app.deps.db, libraryId, { mode: 'claim', wait_threshold_seconds: 60 });
    assignDesk = await buildDesk(app.deps.db, libraryId, { mode: 'assign', ring_timeout_seconds: 30 });
    heard.length = 0;
  });

  async function person(
    deskIds: string[],
    options: { status?: string; max?: number; freeSince?: string } = {},
  ): Promise<StaffRow> {
    const staff = await buildStaff(app.deps.db, { library_id: libraryId, max_concurrent_chats: options.max ?? 3 });
    await buildPresence(app.deps.db, staff.id, deskIds, options.status ?? 'available', options.freeSince);
    app.deps.bus.subscribe(topics.staff(staff.id), (message) => heard.push({ topic: topics.staff(staff.id), message }));
    return staff;
  }

  const chat = async (desk: { slug: string }) =>
    (
      await startChat(
        app.deps,
        { desk: desk.slug, clientId: clientId(), message: 'Help with my library card', language: 'en' },
        { ip: '10.0.0.9' },
      )
    ).conversation.id;

  const ringing = (conversationId: string) => ringingStaff(app.deps.db, conversationId);

  const statusOf = async (conversationId: string) =>
    app.deps.db
      .selectFrom('conversations')
      .select(['status', 'assignee_id', 'desk_id'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();

  it('claim mode rings everyone eligible and no one else; first to accept takes it, the rest see it taken', async () => {
    const a = await person([claimDesk.id]);
    const b = await person([claimDesk.id]);
    await person([claimDesk.id], { status: 'away' });
    await person([assignDesk.id]);
    const full = await person([claimDesk.id], { max: 1 });
    await app.deps.db
      .insertInto('staff_presence')
      .values({
        staff_id: full.id,
        status: 'available',
        desk_ids_json: [claimDesk.id],
        free_since: t.clock.now().toISOString(),
        updated_at: t.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.column('staff_id').doNothing())
      .execute();
    await holdConnection(app.deps.db, 'staff', full.id);
    const busy = await chat(assignDesk); // lands nowhere useful for `full`; give `full` an active chat directly:
    await app.deps.db
      .updateTable('conversations')
      .set({ status: 'active', assignee_id: full.id })
      .where('id', '=', busy)
      .execute();

    const id = await chat(claimDesk);
    expect(await ringing(id)).toEqual([a.id, b.id].sort());
    await acceptConversation(app.deps, actorOf(a), id);
    expect(await statusOf(id)).toMatchObject({ status: 'active', assignee_id: a.id });
    expect(await ringing(id)).toEqual([]);
    expect(heard).toContainEqual({
      topic: topics.staff(b.id),
      message: { kind: 'offer.withdrawn', conversationId: id, reason: 'taken', takenBy: a.display_name },
    });
    await expect(acceptConversation(app.deps, actorOf(b), id)).rejects.toMatchObject({
      code: 'conflict',
      message: `${a.display_name} has already taken this chat.`,
    });
  });

  it('lets exactly one of many simultaneous accepts win', async () => {
    const people = await Promise.all([1, 2, 3, 4].map(() => person([claimDesk.id])));
    const id = await chat(claimDesk);
    const results = await Promise.allSettled(people.map((p) => acceptConversation(app.deps, actorOf(p), id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const events = await app.deps.db
      .selectFrom('conversation_events')
      .select('system_kind')
      .where('conversation_id', '=', id)
      .where('system_kind', '=', 'accepted')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('assign mode offers to the least busy, ties to the longest free; an unanswered ring moves on and sets the first away', async () => {
    const longFree = await person([assignDesk.id], { freeSince: '2026-03-02T08:00:00.000Z' });
    const recentlyFree = await person([assignDesk.id], { freeSince: '2026-03-02T14:00:00.000Z' });
    const id = await chat(assignDesk);
    expect(await ringing(id)).toEqual([longFree.id]);

    t.clock.advanceMinutes(0.4);
    await sweep(app.deps);
    expect(await ringing(id)).toEqual([longFree.id]);
    t.clock.advanceMinutes(0.2);
    await sweep(app.deps);
    expect(await ringing(id)).toEqual([recentlyFree.id]);
    const first = await app.deps.db
      .selectFrom('staff_presence')
      .select('status')
      .where('staff_id', '=', longFree.id)
      .executeTakeFirstOrThrow();
    expect(first.status).toBe('away');
    expect(heard).toContainEqual({
      topic: topics.staff(longFree.id),
      message: { kind: 'offer.withdrawn', conversationId: id, reason: 'timeout', takenBy: null },
    });
  });

  it('assign mode prefers whoever has fewer chats open', async () => {
    const busy = await person([assignDesk.id], { freeSince: '2026-03-02T08:00:00.000Z' });
    const idle = await person([assignDesk.id], { freeSince: '2026-03-02T14:00:00.000Z' });
    const first = await chat(assignDesk);
    await acceptConversation(app.deps, actorOf(busy), first);
    const second = await chat(assignDesk);
    expect(await ringing(second)).toEqual([idle.id]);
  });

  it('passes a declined offer to the next person', async () => {
    const a = await person([assignDesk.id], { freeSince: '2026-03-02T08:00:00.000Z' });
    const b = await person([assignDesk.id], { freeSince: '2026-03-02T09:00:00.000Z' });
    const id = await chat(assignDesk);
    await declineOffer(app.deps, actorOf(a), id);
    expect(await ringing(id)).toEqual([b.id]);
    await expect(declineOffer(app.deps, actorOf(a), id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('respects the chat limit and pulls the oldest waiting chat when room frees up', async () => {
    const solo = await person([assignDesk.id], { max: 1 });
    const oldest = await chat(assignDesk);
    t.clock.advanceMinutes(1);
    const middle = await chat(assignDesk);
    t.clock.advanceMinutes(1);
    const newest = await chat(assignDesk);
    expect(await ringing(oldest)).toEqual([solo.id]);
    expect(await ringing(middle)).toEqual([]);
    await acceptConversation(app.deps, actorOf(solo), oldest);
    expect(await ringing(middle)).toEqual([]);
    await expect(acceptConversation(app.deps, actorOf(solo), middle)).rejects.toMatchObject({ code: 'conflict' });
    await endByStaff(app.deps, actorOf(solo), oldest);
    expect(await ringing(middle)).toEqual([solo.id]);
    expect(await ringing(newest)).toEqual([]);
  });

  it('counts only chats against the chat limit, not conversations of other channels', async () => {
    const solo = await person([assignDesk.id], { max: 1 });
    for (const channel of ['email', 'sms', 'voice', 'webform']) {
      await buildConversation(app.deps.db, {
        library_id: libraryId,
        desk_id: assignDesk.id,
        channel,
        status: 'active',
        assignee_id: solo.id,
      });
    }
    const waiting = await chat(assignDesk);
    expect(await ringing(waiting)).toEqual([solo.id]);
    await acceptConversation(app.deps, actorOf(solo), waiting);
    const next = await chat(assignDesk);
    expect(await ringing(next)).toEqual([]);
    await expect(acceptConversation(app.deps, actorOf(solo), next)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('never loses a connection count to a presence change made at the same moment', async () => {
    const staff = await person([claimDesk.id]);
    const actor = actorOf(staff);
    await Promise.all([
      ...Array.from({ length: 10 }, () => staffConnected(app.deps, actor)),
      ...Array.from({ length: 10 }, (_, i) =>
        setPresence(app.deps, actor, { status: i % 2 ? 'available' : 'away', deskIds: [claimDesk.id] }),
      ),
    ]);
    const rows = await app.deps.db
      .selectFrom('live_connections')
      .select(['instance_id', 'connections'])
      .where('kind', '=', 'staff')
      .where('subject_id', '=', staff.id)
      .orderBy('instance_id')
      .execute();
    // One held by the fixtures, ten by this instance.
    expect(rows).toEqual(
      [
        { instance_id: app.deps.connections.instanceId, connections: 10 },
        { instance_id: 'test-fixtures', connections: 1 },
      ].sort((x, y) => (x.instance_id < y.instance_id ? -1 : 1)),
    );
  });

  it('keeps a reloading person as they were for a grace period, but offers them nothing meanwhile', async () => {
    const staff = await person([claimDesk.id]);
    const withGrace = { ...app.deps, config: { ...app.deps.config, staffOfflineGraceSeconds: 1 } };
    // Their last dashboard tab closes.
    await dropConnection(app.deps.db, 'staff', staff.id);
    await staffDisconnected(withGrace, actorOf(staff));
    const status = async () =>
      (
        await app.deps.db
          .selectFrom('staff_presence')
          .select('status')
          .where('staff_id', '=', staff.id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status()).toBe('available');
    const id = await chat(claimDesk);
    expect(await ringing(id)).not.toContain(staff.id);
    await expect.poll(status, { timeout: 5000 }).toBe('offline');
  });

  it('stops ringing someone who goes offline', async () => {
    const leaving = await person([claimDesk.id]);
    const staying = await person([claimDesk.id]);
    const id = await chat(claimDesk);
    expect(await ringing(id)).toHaveLength(2);
    await dropConnection(app.deps.db, 'staff', leaving.id);
    await staffDisconnected(app.deps, { kind: 'staff', staffId: leaving.id, libraryId, role: 'librarian' });
    expect(await ringing(id)).toEqual([staying.id]);
  });

  it('flags a chat waiting past the desk threshold for everyone', async () => {
    const id = await chat(claimDesk);
    await holdConnection(app.deps.db, 'patron', id);
    await app.deps.db.updateTable('conversations').set({ patron_left_at: null }).where('id', '=', id).execute();
    const rings: BusMessage[] = [];
    app.deps.bus.subscribe(topics.library(libraryId), (m) => rings.push(m));
    await sweep(app.deps);
    expect((await queueSnapshot(app.deps, libraryId)).find((q) => q.deskId === claimDesk.id)).toMatchObject({
      waiting: 1,
      overThreshold: false,
    });
    t.clock.advanceMinutes(1.1);
    await sweep(app.deps);
    expect((await queueSnapshot(app.deps, libraryId)).find((q) => q.deskId === claimDesk.id)).toMatchObject({
      waiting: 1,
      overThreshold: true,
    });
    expect(rings).toContainEqual({ kind: 'queue' });
    expect((await statusOf(id)).status).toBe('queued');
  });

  it('counts a patron who left the queue as abandoned, or missed when it rang unanswered, after the grace period', async () => {
    const quiet = await chat(claimDesk);
    await person([assignDesk.id]);
    const rang = await chat(assignDesk);
    const grace = t.config.chatReconnectGraceSeconds;
    t.clock.advanceMinutes((grace - 5) / 60);
    await sweep(app.deps);
    expect((await statusOf(quiet)).status).toBe('queued');
    t.clock.advanceMinutes(10 / 60);
    await sweep(app.deps);
    expect((await statusOf(quiet)).status).toBe('abandoned');
    expect((await statusOf(rang)).status).toBe('missed');
    expect(await ringing(rang)).toEqual([]);
  });

  it('keeps waiting a patron who is still connected', async () => {
    const id = await chat(claimDesk);
    await holdConnection(app.deps.db, 'patron', id);
    await app.deps.db.updateTable('conversations').set({ patron_left_at: null }).where('id', '=', id).execute();
    t.clock.advanceMinutes(30);
    await sweep(app.deps);
    expect((await statusOf(id)).status).toBe('queued');
  });

  it('transfers to a desk (back to the front of its queue) and to an online colleague', async () => {
    const first = await person([claimDesk.id]);
    const id = await chat(claimDesk);
    await acceptConversation(app.deps, actorOf(first), id);
    const tech = await person([assignDesk.id]);
    await transferConversation(app.deps, actorOf(first), {
      conversationId: id,
      toDeskId: assignDesk.id,
      note: 'E-reader question',
    });
    expect(await statusOf(id)).toMatchObject({ status: 'queued', assignee_id: null, desk_id: assignDesk.id });
    expect(await ringing(id)).toEqual([tech.id]);
    await acceptConversation(app.deps, actorOf(tech), id);

    const offline = await buildStaff(app.deps.db, { library_id: libraryId });
    await expect(
      transferConversation(app.deps, actorOf(tech), { conversationId: id, toStaffId: offline.id, note: '' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const colleague = await person([claimDesk.id]);
    await transferConversation(app.deps, actorOf(tech), {
      conversationId: id,
      toStaffId: colleague.id,
      note: 'Over to you',
    });
    expect(await statusOf(id)).toMatchObject({ status: 'active', assignee_id: colleague.id });
    expect(heard).toContainEqual({
      topic: topics.staff(colleague.id),
      // Said who passed it, so the colleague's console rings for it.
      message: { kind: 'assigned', conversationId: id, from: tech.display_name },
    });
    const kinds = await app.deps.db
      .selectFrom('conversation_events')
      .select(['type', 'system_kind'])
      .where('conversation_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(kinds.filter((k) => k.system_kind === 'transferred')).toHaveLength(2);
    expect(kinds.filter((k) => k.type === 'note')).toHaveLength(2);
  });

  it('estimates the wait from recent answer times, and says nothing without enough history', async () => {
    expect(await estimateWait(app.deps, libraryId, claimDesk.id, 1)).toBeNull();
    const answerer = await person([claimDesk.id]);
    for (const waitedSeconds of [60, 120, 180]) {
      const id = await chat(claimDesk);
      t.clock.advanceMinutes(waitedSeconds / 60);
      await acceptConversation(app.deps, actorOf(answerer), id);
      await endByStaff(app.deps, actorOf(answerer), id);
    }
    expect(await estimateWait(app.deps, libraryId, claimDesk.id, 1)).toBe(120);
    expect(await estimateWait(app.deps, libraryId, claimDesk.id, 3)).toBe(360);
  });
});
