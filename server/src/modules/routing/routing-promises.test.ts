import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  dropConnection,
  staffActor as actorOf,
  ringingStaff,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { patronConnected, startChat } from '../chat/chat.service.ts';
import { endByStaff, transferConversation } from '../chat/staff-chat.service.ts';
import {
  acceptConversation,
  rebalance,
  setPresence,
  staffConnected,
  staffDisconnected,
  sweep,
} from './routing.service.ts';

const START = '2026-03-02T15:00:00.000Z';
let counter = 0;
const clientId = () => `promise-${(counter++).toString().padStart(6, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialectsUnderTest())('routing keeps its promises on %s', (dialect) => {
  let t: TestApp;
  let app: FastifyInstance;
  let libraryId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    app = t.app;
    libraryId = (await buildLibrary(app.deps.db, { time_zone: 'America/New_York' })).id;
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.set(START));

  const desk = (mode: 'claim' | 'assign', overrides: { wait_threshold_seconds?: number } = {}) =>
    buildDesk(app.deps.db, libraryId, {
      mode,
      ring_timeout_seconds: 30,
      wait_threshold_seconds: overrides.wait_threshold_seconds ?? 600,
    });

  async function person(deskIds: string[], options: { max?: number; freeSince?: string } = {}): Promise<StaffRow> {
    const staff = await buildStaff(app.deps.db, { library_id: libraryId, max_concurrent_chats: options.max ?? 3 });
    await buildPresence(app.deps.db, staff.id, deskIds, 'available', options.freeSince ?? '2026-03-02T08:00:00.000Z');
    return staff;
  }

  /** A chat whose patron keeps the page open, so sweeps never count it as left. */
  async function chat(target: { slug: string }): Promise<string> {
    const { conversation } = await startChat(
      app.deps,
      { desk: target.slug, clientId: clientId(), message: 'Where can I print?', language: 'en' },
      { ip: '10.0.0.8' },
    );
    await patronConnected(app.deps, conversation.id);
    return conversation.id;
  }

  const ringingFor = async (staffId: string) =>
    (
      await app.deps.db
        .selectFrom('conversation_offers')
        .select('conversation_id')
        .where('staff_id', '=', staffId)
        .where('state', '=', 'ringing')
        .execute()
    )
      .map((o) => o.conversation_id)
      .sort();

  const rowOf = (id: string) =>
    app.deps.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const presenceStatus = async (staffId: string) =>
    (
      await app.deps.db
        .selectFrom('staff_presence')
        .select('status')
        .where('staff_id', '=', staffId)
        .executeTakeFirstOrThrow()
    ).status;

  it('puts a chat transferred to a desk at the front of its queue even when that desk has chats waiting since before it first arrived', async () => {
    // Transfers to a desk go to the front of its queue, ahead even of chats that have waited
    // there since before the transferred chat first arrived anywhere.
    const reference = await desk('claim');
    const genealogy = await desk('assign');
    const generalist = await person([reference.id]);
    const specialist = await person([genealogy.id], { max: 1 });
    const keeps = await chat(genealogy);
    await acceptConversation(app.deps, actorOf(specialist), keeps);

    // Waiting at the genealogy desk since 15:01 (the specialist is busy).
    t.clock.advanceMinutes(1);
    const alreadyWaiting = await chat(genealogy);
    // A chat that arrived at 15:02 at the reference desk, answered, then handed to genealogy.
    t.clock.advanceMinutes(1);
    const transferred = await chat(reference);
    await acceptConversation(app.deps, actorOf(generalist), transferred);
    t.clock.advanceMinutes(5);
    await transferConversation(app.deps, actorOf(generalist), {
      conversationId: transferred,
      toDeskId: genealogy.id,
      note: 'Needs the genealogy specialist',
    });

    // The specialist's place frees: the chat at the front of the queue (the transferred one) rings.
    await endByStaff(app.deps, actorOf(specialist), keeps);
    expect(await ringingFor(specialist.id)).toEqual([transferred]);
    expect(await ringingStaff(app.deps.db, alreadyWaiting)).toEqual([]);
  });

  it('does not flag a chat transferred to a desk as waiting too long the moment it arrives there', async () => {
    // The desk's threshold counts the wait at the desk, from the transfer: the time spent in
    // conversation with the first librarian is no wait.
    const reference = await desk('claim');
    const tech = await desk('claim', { wait_threshold_seconds: 60 });
    const first = await person([reference.id]);
    const id = await chat(reference);
    await acceptConversation(app.deps, actorOf(first), id);
    // Ten minutes of conversation, then handed to the tech desk (nobody there is free).
    t.clock.advanceMinutes(10);
    await transferConversation(app.deps, actorOf(first), { conversationId: id, toDeskId: tech.id, note: '' });
    expect((await rowOf(id)).is_over_threshold).toBe(false);

    // 30 seconds into its wait at the tech desk: under that desk's 60-second threshold.
    t.clock.advanceMinutes(0.5);
    await sweep(app.deps);
    expect((await rowOf(id)).status).toBe('queued');
    expect((await rowOf(id)).is_over_threshold).toBe(false);
  });

  it('keeps a person available when their tab drops again within the grace after a reconnect', async () => {
    // "Offline automatically when all their dashboard tabs disconnect, after a grace": the grace
    // counts from the last disconnect, not from an earlier one whose tab came back.
    const reference = await desk('claim');
    const staff = await person([reference.id]);
    const actor = actorOf(staff);
    const withGrace = { ...app.deps, config: { ...app.deps.config, staffOfflineGraceSeconds: 2 } };
    // One dashboard tab held by this instance instead of the fixtures.
    await staffConnected(withGrace, actor);
    await dropConnection(app.deps.db, 'staff', staff.id);

    // A network blip at 0 s: the tab drops and reconnects at once.
    await staffDisconnected(withGrace, actor);
    await staffConnected(withGrace, actor);
    // A reload at 1.5 s: the tab drops, and is back 0.8 s later, well within the 2 s grace.
    await sleep(1500);
    await staffDisconnected(withGrace, actor);
    await sleep(800);
    await staffConnected(withGrace, actor);

    expect(await presenceStatus(staff.id)).toBe('available');
    await setPresence(app.deps, actor, { status: 'away', deskIds: [] }); // tidy: no further rings
  });

  it('leaves available a person who answers their assign ring at the moment the sweep times it out', async () => {
    // Someone set away because this very chat rang out just before they answered it is put back
    // to available: they are here after all. So it must be whichever of the accept and the
    // sweep's time-out commits first.
    const tech = await desk('assign');
    const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
    await person([tech.id], { freeSince: '2026-03-02T09:00:00.000Z' });
    const id = await chat(tech);
    expect(await ringingFor(first.id)).toEqual([id]);

    t.clock.advanceMinutes(31 / 60);
    const [accepted] = await Promise.allSettled([acceptConversation(app.deps, actorOf(first), id), sweep(app.deps)]);
    expect(accepted.status).toBe('fulfilled');
    expect(await rowOf(id)).toMatchObject({ status: 'active', assignee_id: first.id });
    expect(await presenceStatus(first.id)).toBe('available');
  });

  it('hands the chats of someone gone with no dashboard open back to the front of their desk, and keeps those of someone still there', async () => {
    const reference = await desk('assign');
    const gone = await person([reference.id]);
    const stays = await person([reference.id]);
    const lost = await chat(reference);
    await acceptConversation(app.deps, actorOf(gone), lost);
    const kept = await chat(reference);
    await acceptConversation(app.deps, actorOf(stays), kept);
    const waiting = await chat(reference);
    // Both go offline; only one of them closed every dashboard tab (a crashed browser).
    await dropConnection(app.deps.db, 'staff', gone.id);
    for (const who of [gone, stays]) {
      await app.deps.db
        .updateTable('staff_presence')
        .set({ status: 'offline', updated_at: t.clock.now().toISOString() })
        .where('staff_id', '=', who.id)
        .execute();
    }

    // Within the hand-back time the chat waits for them: they may be back.
    t.clock.advanceMinutes(0.5);
    await sweep(app.deps);
    expect(await rowOf(lost)).toMatchObject({ status: 'active', assignee_id: gone.id });

    // Past it, the chat goes back to the front of the queue, ahead of one that waited there
    // already, and the patron is told as for a transfer; the one still there keeps theirs.
    t.clock.advanceMinutes(1);
    await sweep(app.deps);
    expect(await rowOf(lost)).toMatchObject({ status: 'queued', assignee_id: null });
    expect(await rowOf(kept)).toMatchObject({ status: 'active', assignee_id: stays.id });
    const helper = await person([reference.id], { max: 1 });
    await rebalance(app.deps, libraryId);
    // The desk offers one chat at a time: the one handed back, not the one waiting before it.
    expect(await ringingFor(helper.id)).toEqual([lost]);
    expect(await rowOf(waiting)).toMatchObject({ status: 'queued' });
    const said = await app.deps.db
      .selectFrom('conversation_events')
      .select(['system_kind', 'body', 'data_json'])
      .where('conversation_id', '=', lost)
      .where('system_kind', '=', 'transferred')
      .execute();
    expect(said).toHaveLength(1);
    expect(said[0]?.body).toMatch(/ lost their connection; the chat went back to /);
    expect(said[0]?.data_json).toMatchObject({ reason: 'disconnected', toDeskId: reference.id });

    // A later sweep does nothing more.
    t.clock.advanceMinutes(2);
    await sweep(app.deps);
    expect(
      await app.deps.db
        .selectFrom('conversation_events')
        .select('seq')
        .where('conversation_id', '=', lost)
        .where('system_kind', '=', 'transferred')
        .execute(),
    ).toHaveLength(1);
  });
});
