import type { Hours, OpenInterval } from '@branchline/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBus, topics, type Bus, type BusMessage } from '../../platform/bus.ts';
import type { StaffRow } from '../../platform/db/schema.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  dropConnection,
  sessionFor,
  staffActor as actorOf,
  ringingStaff,
  sameEveryDay,
} from '../../test/factories.ts';
import { buildTestApp, TestClock, type TestApp } from '../../test/test-app.ts';
import {
  deskAvailability,
  endConversation,
  patronConnected,
  patronDisconnected,
  startChat,
} from '../chat/chat.service.ts';
import { endByStaff, transferConversation } from '../chat/staff-chat.service.ts';
import { updateDesk } from '../libraries/libraries.service.ts';
import {
  acceptConversation,
  declineOffer,
  queueSnapshot,
  rebalance,
  setPresence,
  staffConnected,
  staffDisconnected,
  sweep,
} from './routing.service.ts';

const START = '2026-03-02T15:00:00.000Z';
let counter = 0;
const clientId = () => `edge-${(counter++).toString().padStart(6, '0')}`;

const every = (intervals: OpenInterval[]): Hours => ({ weekly: sameEveryDay(intervals), exceptions: [] });

describe.each(dialectsUnderTest())('routing edge cases on %s', (dialect) => {
  let t: TestApp;
  let app: FastifyInstance;
  let libraryId: string;
  let admin: StaffRow;
  const heard: Array<{ topic: string; message: BusMessage }> = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    app = t.app;
    // The first library is the deployment's (public chat serves it); its zone is America/New_York.
    libraryId = (await buildLibrary(app.deps.db, { time_zone: 'America/New_York' })).id;
    admin = await buildStaff(app.deps.db, { library_id: libraryId, role: 'admin' });
  });
  afterAll(async () => t.close());

  beforeEach(() => {
    t.clock.set(START);
    heard.length = 0;
  });

  const desk = (overrides: {
    mode: 'claim' | 'assign';
    ring_timeout_seconds?: number;
    wait_threshold_seconds?: number;
    hours?: Hours;
  }) =>
    buildDesk(app.deps.db, libraryId, {
      mode: overrides.mode,
      ring_timeout_seconds: overrides.ring_timeout_seconds ?? 30,
      wait_threshold_seconds: overrides.wait_threshold_seconds ?? 600,
      ...(overrides.hours ? { hours_json: overrides.hours } : {}),
    });

  async function person(
    deskIds: string[],
    options: { status?: string; max?: number; freeSince?: string } = {},
  ): Promise<StaffRow> {
    const staff = await buildStaff(app.deps.db, { library_id: libraryId, max_concurrent_chats: options.max ?? 3 });
    // Explicit, so that "longest free" never depends on when the case happened to run.
    const freeSince = options.freeSince ?? '2026-03-02T08:00:00.000Z';
    await buildPresence(app.deps.db, staff.id, deskIds, options.status ?? 'available', freeSince);
    app.deps.bus.subscribe(topics.staff(staff.id), (message) => heard.push({ topic: topics.staff(staff.id), message }));
    return staff;
  }

  /** A chat whose patron keeps the page open, so sweeps never count it as left. */
  async function chat(target: { slug: string }): Promise<string> {
    const { conversation } = await startChat(
      app.deps,
      { desk: target.slug, clientId: clientId(), message: 'Can I renew a book over chat?', language: 'en' },
      { ip: '10.0.0.7' },
    );
    await patronConnected(app.deps, conversation.id);
    return conversation.id;
  }

  const ringing = (conversationId: string) => ringingStaff(app.deps.db, conversationId);

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

  const offersOfChat = (conversationId: string) =>
    app.deps.db
      .selectFrom('conversation_offers')
      .select(['staff_id', 'state', 'ring_until'])
      .where('conversation_id', '=', conversationId)
      .execute();

  const statusOf = (conversationId: string) =>
    app.deps.db
      .selectFrom('conversations')
      .select(['status', 'assignee_id', 'desk_id', 'is_over_threshold'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();

  const presenceStatus = async (staffId: string) =>
    (
      await app.deps.db
        .selectFrom('staff_presence')
        .select('status')
        .where('staff_id', '=', staffId)
        .executeTakeFirstOrThrow()
    ).status;

  /** Moves past the ring deadline of every offer rung so far, and lets routing's clockwork run. */
  async function ringOut(seconds = 31): Promise<void> {
    t.clock.advanceMinutes(seconds / 60);
    await sweep(app.deps);
  }

  describe('staff serving several desks', () => {
    it('pulls the oldest waiting chat across their desks when a place frees, and keeps each desk first in, first out', async () => {
      const tech = await desk({ mode: 'assign' });
      const reference = await desk({ mode: 'assign' });
      const solo = await person([tech.id, reference.id], { max: 1 });
      const warmUp = await chat(tech);
      await acceptConversation(app.deps, actorOf(solo), warmUp);
      t.clock.advanceMinutes(1);
      const techFirst = await chat(tech);
      t.clock.advanceMinutes(1);
      const referenceFirst = await chat(reference);
      t.clock.advanceMinutes(1);
      const techSecond = await chat(tech);
      expect(await ringingFor(solo.id)).toEqual([]);

      await endByStaff(app.deps, actorOf(solo), warmUp);
      expect(await ringingFor(solo.id)).toEqual([techFirst]);
      await acceptConversation(app.deps, actorOf(solo), techFirst);
      await endByStaff(app.deps, actorOf(solo), techFirst);
      expect(await ringingFor(solo.id)).toEqual([referenceFirst]);
      await acceptConversation(app.deps, actorOf(solo), referenceFirst);
      await endByStaff(app.deps, actorOf(solo), referenceFirst);
      expect(await ringingFor(solo.id)).toEqual([techSecond]);
    });

    it('rings a claim chat only for people serving its desk, and withdraws the rest of someone’s rings once they are full', async () => {
      const english = await desk({ mode: 'claim' });
      const spanish = await desk({ mode: 'claim' });
      const bilingual = await person([english.id, spanish.id], { max: 1 });
      const monolingual = await person([english.id]);
      const inSpanish = await chat(spanish);
      const inEnglish = await chat(english);
      expect(await ringing(inSpanish)).toEqual([bilingual.id]);
      expect(await ringing(inEnglish)).toEqual([bilingual.id, monolingual.id].sort());

      await acceptConversation(app.deps, actorOf(bilingual), inEnglish);
      // Full now: the Spanish chat stops ringing for them, and nobody else serves that desk.
      expect(await ringing(inSpanish)).toEqual([]);
      expect(heard).toContainEqual({
        topic: topics.staff(monolingual.id),
        message: {
          kind: 'offer.withdrawn',
          conversationId: inEnglish,
          reason: 'taken',
          takenBy: bilingual.display_name,
        },
      });
      expect(heard.some((h) => h.topic === topics.staff(bilingual.id) && h.message.kind === 'offer.withdrawn')).toBe(
        true,
      );
      await endByStaff(app.deps, actorOf(bilingual), inEnglish);
      expect(await ringing(inSpanish)).toEqual([bilingual.id]);
    });
  });

  describe('assign mode', () => {
    it('passes an unanswered chat along a chain of ring timeouts, and back to the first person once they return', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const third = await person([tech.id], { freeSince: '2026-03-02T09:00:00.000Z' });
      const id = await chat(tech);
      expect(await ringing(id)).toEqual([first.id]);
      await ringOut();
      expect(await ringing(id)).toEqual([second.id]);
      await ringOut();
      expect(await ringing(id)).toEqual([third.id]);
      await ringOut();
      // Nobody is left: everyone who let it ring out is away, and the chat waits.
      expect(await ringing(id)).toEqual([]);
      expect([await presenceStatus(first.id), await presenceStatus(second.id), await presenceStatus(third.id)]).toEqual(
        ['away', 'away', 'away'],
      );
      expect((await statusOf(id)).status).toBe('queued');

      // The first person comes back: the chat must not wait while someone free serves its desk.
      await setPresence(app.deps, actorOf(first), { status: 'available', deskIds: [tech.id] });
      expect(await ringing(id)).toEqual([first.id]);
      const offers = await offersOfChat(id);
      expect(offers.filter((o) => o.state === 'timeout').map((o) => o.staff_id)).toHaveLength(3);
    });

    it('offers a declined chat back to the only person serving the desk rather than letting it wait unoffered', async () => {
      const tech = await desk({ mode: 'assign' });
      const only = await person([tech.id]);
      const id = await chat(tech);
      await declineOffer(app.deps, actorOf(only), id);
      // Not at once: they have just said no.
      expect(await ringing(id)).toEqual([]);
      t.clock.advanceMinutes(20 / 60);
      await sweep(app.deps);
      expect(await ringing(id)).toEqual([]);
      // One ring time after they were asked, it is theirs to answer again.
      await ringOut(11);
      expect(await ringing(id)).toEqual([only.id]);
      expect(await presenceStatus(only.id)).toBe('available');
    });

    it('on a claim desk stops ringing whoever passes, and rings them again only when nobody else is left, a ring time later', async () => {
      const reference = await desk({ mode: 'claim' });
      const passer = await person([reference.id]);
      const colleague = await person([reference.id]);
      const id = await chat(reference);
      expect(await ringing(id)).toEqual([passer.id, colleague.id].sort());
      await declineOffer(app.deps, actorOf(passer), id);
      expect(await ringing(id)).toEqual([colleague.id]);
      await sweep(app.deps);
      expect(await ringing(id)).toEqual([colleague.id]);

      // The colleague steps away: nobody rings, and the one who passed is not asked again at once.
      t.clock.advanceMinutes(10 / 60);
      await setPresence(app.deps, actorOf(colleague), { status: 'away', deskIds: [reference.id] });
      expect(await ringing(id)).toEqual([]);
      await ringOut(10);
      expect(await ringing(id)).toEqual([]);
      await ringOut(11);
      expect(await ringing(id)).toEqual([passer.id]);
    });

    it('on a claim desk rings the colleagues, not the sender, for a chat transferred back to it', async () => {
      const reference = await desk({ mode: 'claim' });
      const sender = await person([reference.id]);
      const colleague = await person([reference.id]);
      const id = await chat(reference);
      await acceptConversation(app.deps, actorOf(sender), id);
      await transferConversation(app.deps, actorOf(sender), { conversationId: id, toDeskId: reference.id, note: '' });
      expect(await ringing(id)).toEqual([colleague.id]);
    });

    it('goes round everyone who passed a chat on, each in turn, instead of back to the same person', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      const passes: string[][] = [];
      for (let round = 0; round < 4; round++) {
        const [rung] = await ringing(id);
        passes.push(await ringing(id));
        // Each declines near the end of the ring time, so whoever was asked before may be asked again.
        t.clock.advanceMinutes(29 / 60);
        await declineOffer(app.deps, actorOf(rung === first.id ? first : second), id);
        await ringOut(2);
      }
      expect(passes).toEqual([[first.id], [second.id], [first.id], [second.id]]);
      expect(await ringing(id)).toEqual([first.id]);
    });

    it('spreads chats that arrive together across idle people instead of piling them on one', async () => {
      const tech = await desk({ mode: 'assign' });
      const earlier = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const later = await person([tech.id], { freeSince: '2026-03-02T09:00:00.000Z' });
      const one = await chat(tech);
      const two = await chat(tech);
      expect(await ringing(one)).toEqual([earlier.id]);
      expect(await ringing(two)).toEqual([later.id]);
    });

    it('breaks ties by who has been idle longest, counting from the end of their last chat', async () => {
      const tech = await desk({ mode: 'assign' });
      const justFinished = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const idleAllMorning = await person([tech.id], { freeSince: '2026-03-02T09:00:00.000Z' });
      const earlier = await chat(tech);
      expect(await ringing(earlier)).toEqual([justFinished.id]);
      await acceptConversation(app.deps, actorOf(justFinished), earlier);
      t.clock.advanceMinutes(20);
      await endByStaff(app.deps, actorOf(justFinished), earlier);
      const next = await chat(tech);
      expect(await ringing(next)).toEqual([idleAllMorning.id]);
    });

    it('never rings someone for more chats than they have room for when an older chat is transferred in', async () => {
      const reference = await desk({ mode: 'claim' });
      const tech = await desk({ mode: 'assign' });
      const generalist = await person([reference.id]);
      const techie = await person([tech.id], { max: 1 });
      const older = await chat(reference);
      await acceptConversation(app.deps, actorOf(generalist), older);
      t.clock.advanceMinutes(1);
      const newer = await chat(tech);
      expect(await ringingFor(techie.id)).toEqual([newer]);

      await transferConversation(app.deps, actorOf(generalist), {
        conversationId: older,
        toDeskId: tech.id,
        note: 'Needs the e-reader expert',
      });
      // One place, one ring: the offer already ringing keeps it.
      expect(await ringingFor(techie.id)).toEqual([newer]);
      await acceptConversation(app.deps, actorOf(techie), newer);
      await endByStaff(app.deps, actorOf(techie), newer);
      expect(await ringingFor(techie.id)).toEqual([older]);
    });

    it('moves the ring on at once when the person rung sets themselves away, without counting a timeout', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      expect(await ringing(id)).toEqual([first.id]);
      await setPresence(app.deps, actorOf(first), { status: 'away', deskIds: [tech.id] });
      expect(await ringing(id)).toEqual([second.id]);
      expect((await offersOfChat(id)).find((o) => o.staff_id === first.id)?.state).toBe('withdrawn');
      // Back before the second person answers: they are still next in line, not passed over.
      await setPresence(app.deps, actorOf(first), { status: 'available', deskIds: [tech.id] });
      await ringOut();
      expect(await ringing(id)).toEqual([first.id]);
      expect(await presenceStatus(second.id)).toBe('away');
    });

    it('keeps ringing while another dashboard tab is open, and moves on when the last one closes', async () => {
      const tech = await desk({ mode: 'assign' });
      const leaving = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const staying = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      // Two tabs of this instance instead of the fixtures' one.
      await staffConnected(app.deps, actorOf(leaving));
      await staffConnected(app.deps, actorOf(leaving));
      await dropConnection(app.deps.db, 'staff', leaving.id);
      const id = await chat(tech);
      expect(await ringing(id)).toEqual([leaving.id]);

      await staffDisconnected(app.deps, actorOf(leaving));
      expect(await ringing(id)).toEqual([leaving.id]);
      expect(await presenceStatus(leaving.id)).toBe('available');
      await staffDisconnected(app.deps, actorOf(leaving));
      expect(await ringing(id)).toEqual([staying.id]);
      expect(await presenceStatus(leaving.id)).toBe('offline');
    });
  });

  describe('the chat limit', () => {
    it('offers nothing to someone whose limit was lowered below their open chats until they are under it again', async () => {
      const reference = await desk({ mode: 'claim' });
      const busy = await person([reference.id], { max: 3 });
      const open = [await chat(reference), await chat(reference), await chat(reference)];
      for (const id of open) await acceptConversation(app.deps, actorOf(busy), id);
      await app.deps.db.updateTable('staff').set({ max_concurrent_chats: 1 }).where('id', '=', busy.id).execute();

      const waiting = await chat(reference);
      expect(await ringing(waiting)).toEqual([]);
      await expect(acceptConversation(app.deps, actorOf(busy), waiting)).rejects.toMatchObject({ code: 'conflict' });
      await endByStaff(app.deps, actorOf(busy), open[0]!);
      expect(await ringing(waiting)).toEqual([]);
      await endByStaff(app.deps, actorOf(busy), open[1]!);
      expect(await ringing(waiting)).toEqual([]);
      await endByStaff(app.deps, actorOf(busy), open[2]!);
      expect(await ringing(waiting)).toEqual([busy.id]);
    });

    it('counts accepted chats only: a question left for email and chats still ringing take no place', async () => {
      const reference = await desk({ mode: 'claim' });
      const solo = await person([reference.id], { max: 1 });
      await buildConversation(app.deps.db, {
        library_id: libraryId,
        desk_id: reference.id,
        channel: 'webform',
        status: 'pending',
        assignee_id: solo.id,
      });
      const one = await chat(reference);
      const two = await chat(reference);
      expect(await ringingFor(solo.id)).toEqual([one, two].sort());
      await acceptConversation(app.deps, actorOf(solo), two);
      expect(await ringingFor(solo.id)).toEqual([]);
      await expect(acceptConversation(app.deps, actorOf(solo), one)).rejects.toMatchObject({ code: 'conflict' });
      expect((await statusOf(one)).status).toBe('queued');
    });

    it('counts a chat the patron ends as missed once it has rung for someone, and abandoned before', async () => {
      const tech = await desk({ mode: 'claim' });
      const rowOf = (id: string) =>
        app.deps.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const unasked = await chat(tech);
      expect(await ringing(unasked)).toEqual([]);
      await endConversation(app.deps, await rowOf(unasked), 'patron');
      expect((await statusOf(unasked)).status).toBe('abandoned');

      const librarian = await person([tech.id]);
      const rang = await chat(tech);
      expect(await ringing(rang)).toEqual([librarian.id]);
      await endConversation(app.deps, await rowOf(rang), 'patron');
      expect((await statusOf(rang)).status).toBe('missed');
      expect(await ringingFor(librarian.id)).toEqual([]);
      // Staff closing a waiting chat is no patron giving up on an answer: it stays abandoned.
      const another = await chat(tech);
      await endConversation(app.deps, await rowOf(another), { staffName: 'Robin' });
      expect((await statusOf(another)).status).toBe('abandoned');
    });

    it('frees the place of a chat the patron ended, and the ring of a chat whose patron left the queue', async () => {
      // Rings longer than the patron's reconnect grace, so the ring is still on when they count as gone.
      const tech = await desk({ mode: 'assign', ring_timeout_seconds: 300 });
      const solo = await person([tech.id], { max: 1 });
      const active = await chat(tech);
      await acceptConversation(app.deps, actorOf(solo), active);
      const ringsNext = await chat(tech);
      t.clock.advanceMinutes(1);
      const behind = await chat(tech);
      expect(await ringingFor(solo.id)).toEqual([]);

      await endConversation(
        app.deps,
        await app.deps.db.selectFrom('conversations').selectAll().where('id', '=', active).executeTakeFirstOrThrow(),
        'patron',
      );
      expect((await statusOf(active)).status).toBe('resolved');
      expect(await ringingFor(solo.id)).toEqual([ringsNext]);

      // That patron closes the page and does not come back within the grace.
      await patronDisconnected(app.deps, ringsNext);
      t.clock.advanceMinutes((t.config.chatReconnectGraceSeconds - 1) / 60);
      await sweep(app.deps);
      expect((await statusOf(ringsNext)).status).toBe('queued');
      t.clock.advanceMinutes(2 / 60);
      await sweep(app.deps);
      expect((await statusOf(ringsNext)).status).toBe('missed');
      // Rang before the ring timed out: the person stays available and the next chat rings.
      expect(await presenceStatus(solo.id)).toBe('available');
      expect(await ringingFor(solo.id)).toEqual([behind]);
    });
  });

  describe('long waits', () => {
    it('highlights a chat by its own desk’s threshold, once, and clears it when someone takes the chat', async () => {
      const quick = await desk({ mode: 'claim', wait_threshold_seconds: 60 });
      const patient = await desk({ mode: 'claim', wait_threshold_seconds: 300 });
      const answerer = await person([quick.id]);
      const onQuick = await chat(quick);
      const onPatient = await chat(patient);
      const rings: BusMessage[] = [];
      app.deps.bus.subscribe(topics.library(libraryId), (m) => rings.push(m));

      t.clock.advanceMinutes(59 / 60);
      await sweep(app.deps);
      expect((await statusOf(onQuick)).is_over_threshold).toBe(false);
      // At exactly the threshold it has not waited longer than it yet.
      t.clock.advanceMinutes(1 / 60);
      await sweep(app.deps);
      expect((await statusOf(onQuick)).is_over_threshold).toBe(false);
      t.clock.advanceMinutes(30 / 60);
      await sweep(app.deps);
      await sweep(app.deps);
      expect((await statusOf(onQuick)).is_over_threshold).toBe(true);
      expect((await statusOf(onPatient)).is_over_threshold).toBe(false);
      expect(rings.filter((m) => m.kind === 'queue')).toHaveLength(1);
      const snapshot = await queueSnapshot(app.deps, libraryId);
      expect(snapshot.find((q) => q.deskId === quick.id)).toMatchObject({ waiting: 1, overThreshold: true });
      expect(snapshot.find((q) => q.deskId === patient.id)).toMatchObject({ waiting: 1, overThreshold: false });

      await acceptConversation(app.deps, actorOf(answerer), onQuick);
      expect((await statusOf(onQuick)).is_over_threshold).toBe(false);
      expect((await queueSnapshot(app.deps, libraryId)).find((q) => q.deskId === quick.id)).toMatchObject({
        waiting: 0,
        overThreshold: false,
      });
    });
  });

  describe('switching a desk’s mode with chats waiting', () => {
    it('claim to assign: the chat stops ringing everyone and rings one person, with a deadline', async () => {
      const reference = await desk({ mode: 'claim' });
      const first = await person([reference.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([reference.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const third = await person([reference.id], { freeSince: '2026-03-02T09:00:00.000Z' });
      const id = await chat(reference);
      expect(await ringing(id)).toEqual([first.id, second.id, third.id].sort());

      // Changed by an admin in the dashboard: the change itself re-routes the waiting chat.
      const changed = await app.inject({
        method: 'PATCH',
        url: `/api/desks/${reference.id}`,
        headers: (await sessionFor(app, admin)).headers,
        payload: { mode: 'assign' },
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(await ringing(id)).toEqual([first.id]);
      expect((await offersOfChat(id)).find((o) => o.state === 'ringing')?.ring_until).not.toBeNull();
      await ringOut();
      expect(await ringing(id)).toEqual([second.id]);
      expect(await presenceStatus(first.id)).toBe('away');
    });

    it('assign to claim: everyone eligible rings, and nobody is set away when the old deadline passes', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      expect(await ringing(id)).toEqual([first.id]);

      await updateDesk(app.deps, actorOf(admin), tech.id, { mode: 'claim' });
      await ringOut();
      await rebalance(app.deps, libraryId);
      expect(await ringing(id)).toEqual([first.id, second.id].sort());
      expect(await presenceStatus(first.id)).toBe('available');
      await ringOut(600);
      expect(await ringing(id)).toEqual([first.id, second.id].sort());
      expect((await offersOfChat(id)).every((o) => o.state === 'ringing' && o.ring_until === null)).toBe(true);
    });
  });

  describe('transfers', () => {
    it('refuses a full or offline colleague and leaves the chat with whoever had it', async () => {
      const reference = await desk({ mode: 'claim' });
      const holder = await person([reference.id]);
      const full = await person([reference.id], { max: 1 });
      const offline = await person([reference.id]);
      const id = await chat(reference);
      const fills = await chat(reference);
      await acceptConversation(app.deps, actorOf(full), fills);
      await acceptConversation(app.deps, actorOf(holder), id);
      await dropConnection(app.deps.db, 'staff', offline.id);
      await staffDisconnected(app.deps, actorOf(offline));

      await expect(
        transferConversation(app.deps, actorOf(holder), { conversationId: id, toStaffId: full.id, note: 'Yours?' }),
      ).rejects.toMatchObject({ code: 'conflict' });
      await expect(
        transferConversation(app.deps, actorOf(holder), { conversationId: id, toStaffId: offline.id, note: 'Yours?' }),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(await statusOf(id)).toMatchObject({ status: 'active', assignee_id: holder.id });
      const notes = await app.deps.db
        .selectFrom('conversation_events')
        .select('type')
        .where('conversation_id', '=', id)
        .where('type', '=', 'note')
        .execute();
      expect(notes).toEqual([]);
    });

    it('rings someone else first when a chat is transferred to a desk its sender also serves', async () => {
      const tech = await desk({ mode: 'assign' });
      const sender = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const colleague = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const busy = await chat(tech);
      expect(await ringing(busy)).toEqual([sender.id]);
      await acceptConversation(app.deps, actorOf(sender), busy);
      const other = await chat(tech);
      expect(await ringing(other)).toEqual([colleague.id]);
      await acceptConversation(app.deps, actorOf(colleague), other);
      // Both have one chat; the sender hands theirs back to the desk and is now the less busy.
      await transferConversation(app.deps, actorOf(sender), { conversationId: busy, toDeskId: tech.id, note: '' });
      expect(await ringing(busy)).toEqual([colleague.id]);
      // Nobody else takes it: after a ring time it comes back to the sender rather than wait.
      await ringOut();
      expect(await ringing(busy)).toEqual([sender.id]);
    });

    it('gives a colleague with one place left only one of two chats transferred to them at once', async () => {
      const reference = await desk({ mode: 'claim' });
      const a = await person([reference.id]);
      const b = await person([reference.id]);
      const target = await person([], { max: 1 });
      const one = await chat(reference);
      const two = await chat(reference);
      await acceptConversation(app.deps, actorOf(a), one);
      await acceptConversation(app.deps, actorOf(b), two);
      const outcomes = await Promise.allSettled([
        transferConversation(app.deps, actorOf(a), { conversationId: one, toStaffId: target.id, note: '' }),
        transferConversation(app.deps, actorOf(b), { conversationId: two, toStaffId: target.id, note: '' }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
      const theirs = [await statusOf(one), await statusOf(two)].filter((c) => c.assignee_id === target.id);
      expect(theirs).toHaveLength(1);
    });

    it('puts a chat transferred to a closed desk at the front of its queue, and counts a patron who then leaves as served', async () => {
      const reference = await desk({ mode: 'claim' });
      // Factory desks have no opening hours: this one is closed all week. It rings longer than the
      // patron's reconnect grace, so the ring is still on when they count as gone.
      const closed = await desk({ mode: 'assign', ring_timeout_seconds: 300 });
      const first = await person([reference.id]);
      const specialist = await person([closed.id], { max: 1 });
      const transferred = await chat(reference);
      await acceptConversation(app.deps, actorOf(first), transferred);
      const keeps = await chat(closed);
      await acceptConversation(app.deps, actorOf(specialist), keeps);
      t.clock.advanceMinutes(1);
      const alreadyWaiting = await chat(closed);

      await transferConversation(app.deps, actorOf(first), {
        conversationId: transferred,
        toDeskId: closed.id,
        note: 'Genealogy',
      });
      expect(await statusOf(transferred)).toMatchObject({ status: 'queued', desk_id: closed.id, assignee_id: null });
      const queue = (await queueSnapshot(app.deps, libraryId)).find((q) => q.deskId === closed.id);
      expect(queue?.waiting).toBe(2);
      await endByStaff(app.deps, actorOf(specialist), keeps);
      expect(await ringingFor(specialist.id)).toEqual([transferred]);
      expect(await ringing(alreadyWaiting)).toEqual([]);

      await patronDisconnected(app.deps, transferred);
      await ringOut(t.config.chatReconnectGraceSeconds + 1);
      expect((await statusOf(transferred)).status).toBe('resolved');
      expect(await ringing(alreadyWaiting)).toEqual([specialist.id]);
    });
  });

  describe('an offer answered, passed and timed out at once', () => {
    it('takes the chat when the answer comes after the deadline but before the sweep, and sets nobody away', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      t.clock.advanceMinutes(31 / 60);
      await acceptConversation(app.deps, actorOf(first), id);
      await sweep(app.deps);
      expect(await statusOf(id)).toMatchObject({ status: 'active', assignee_id: first.id });
      expect(await presenceStatus(first.id)).toBe('available');
      expect(await ringing(id)).toEqual([]);
      expect(heard.some((h) => h.topic === topics.staff(second.id) && h.message.kind === 'offer')).toBe(false);
    });

    it('takes the chat when the answer comes just after the sweep, and sets the person back to available', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const id = await chat(tech);
      await ringOut();
      expect(await presenceStatus(first.id)).toBe('away');
      await acceptConversation(app.deps, actorOf(first), id);
      expect(await statusOf(id)).toMatchObject({ status: 'active', assignee_id: first.id });
      expect(await presenceStatus(first.id)).toBe('available');

      // Someone who went away of their own accord and takes a chat from the queue stays away.
      const second = await person([tech.id], { status: 'away' });
      const other = await chat(tech);
      await acceptConversation(app.deps, actorOf(second), other);
      expect(await presenceStatus(second.id)).toBe('away');
    });

    it('settles accept, decline and timeout racing on one offer into a single consistent outcome', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      t.clock.advanceMinutes(31 / 60);
      const [accepted] = await Promise.allSettled([
        acceptConversation(app.deps, actorOf(first), id),
        declineOffer(app.deps, actorOf(first), id),
        sweep(app.deps),
        sweep(app.deps),
      ]);
      await rebalance(app.deps, libraryId);

      const offers = await offersOfChat(id);
      const firstOffers = offers.filter((o) => o.staff_id === first.id);
      expect(firstOffers).toHaveLength(1);
      expect(['accepted', 'declined', 'timeout']).toContain(firstOffers[0]!.state);
      const row = await statusOf(id);
      if (accepted.status === 'fulfilled') {
        expect(row).toMatchObject({ status: 'active', assignee_id: first.id });
        expect(await ringing(id)).toEqual([]);
      } else {
        expect(row.status).toBe('queued');
        expect(await ringing(id)).toEqual([second.id]);
      }
      const joined = await app.deps.db
        .selectFrom('conversation_events')
        .select('seq')
        .where('conversation_id', '=', id)
        .where('system_kind', '=', 'accepted')
        .execute();
      expect(joined).toHaveLength(accepted.status === 'fulfilled' ? 1 : 0);
      expect(offers.filter((o) => o.state === 'ringing').length).toBeLessThanOrEqual(1);
    });

    it('lets the first person still take a chat after it rang out to the next, who then sees it taken', async () => {
      const tech = await desk({ mode: 'assign' });
      const first = await person([tech.id], { freeSince: '2026-03-02T07:00:00.000Z' });
      const second = await person([tech.id], { freeSince: '2026-03-02T08:00:00.000Z' });
      const id = await chat(tech);
      await ringOut();
      expect(await ringing(id)).toEqual([second.id]);
      await acceptConversation(app.deps, actorOf(first), id);
      expect(await ringing(id)).toEqual([]);
      expect(heard).toContainEqual({
        topic: topics.staff(second.id),
        message: { kind: 'offer.withdrawn', conversationId: id, reason: 'taken', takenBy: first.display_name },
      });
    });
  });

  describe('desk hours in the library’s time zone', () => {
    const nineToFive = every([{ opens: '09:00', closes: '17:00' }]);

    async function openAt(slug: string, iso: string): Promise<boolean> {
      t.clock.set(iso);
      return (await deskAvailability(app.deps, slug)).isOpen;
    }

    it('opens and closes at 09:00 and 17:00 New York time on both sides of the spring change', async () => {
      const reference = await desk({ mode: 'claim', hours: nineToFive });
      // Friday 2026-03-06, EST (UTC-5).
      expect(await openAt(reference.slug, '2026-03-06T13:59:59.999Z')).toBe(false);
      expect(await openAt(reference.slug, '2026-03-06T14:00:00.000Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-03-06T21:59:59.999Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-03-06T22:00:00.000Z')).toBe(false);
      // Sunday 2026-03-08 is the change itself; from then on EDT (UTC-4).
      expect(await openAt(reference.slug, '2026-03-08T12:59:59.999Z')).toBe(false);
      expect(await openAt(reference.slug, '2026-03-08T13:00:00.000Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-03-08T20:59:59.999Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-03-08T21:00:00.000Z')).toBe(false);
    });

    it('opens and closes at 09:00 and 17:00 New York time on both sides of the autumn change', async () => {
      const reference = await desk({ mode: 'claim', hours: nineToFive });
      // Saturday 2026-10-31, EDT.
      expect(await openAt(reference.slug, '2026-10-31T12:59:59.999Z')).toBe(false);
      expect(await openAt(reference.slug, '2026-10-31T13:00:00.000Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-10-31T21:00:00.000Z')).toBe(false);
      // Sunday 2026-11-01, EST from 02:00 local.
      expect(await openAt(reference.slug, '2026-11-01T13:59:59.999Z')).toBe(false);
      expect(await openAt(reference.slug, '2026-11-01T14:00:00.000Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-11-01T21:59:59.999Z')).toBe(true);
      expect(await openAt(reference.slug, '2026-11-01T22:00:00.000Z')).toBe(false);
    });

    it('tells a patron arriving the moment the desk closes that it is closed, and still routes a chat they start to whoever stayed on', async () => {
      const reference = await desk({ mode: 'claim', hours: nineToFive });
      const stayedOn = await person([reference.id]);
      // Monday 2026-03-09, 17:00:00 EDT exactly.
      t.clock.set('2026-03-09T21:00:00.000Z');
      const availability = await deskAvailability(app.deps, reference.slug);
      expect(availability).toMatchObject({ isOpen: false, isStaffed: true, suggestLeavingQuestion: true });
      const id = await chat(reference);
      expect((await statusOf(id)).status).toBe('queued');
      expect(await ringing(id)).toEqual([stayedOn.id]);
    });
  });

  it('rings a waiting chat for someone at once when an administrator raises their chat limit', async () => {
    const reference = await desk({ mode: 'claim' });
    const solo = await person([reference.id], { max: 1 });
    await acceptConversation(app.deps, actorOf(solo), await chat(reference));
    const waiting = await chat(reference);
    expect(await ringing(waiting)).toEqual([]);
    const raised = await app.inject({
      method: 'PATCH',
      url: `/api/staff/${solo.id}`,
      headers: (await sessionFor(app, admin)).headers,
      payload: { maxConcurrentChats: 2 },
    });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(await ringing(waiting)).toEqual([solo.id]);
  });

  it('refuses to close a desk while chats wait at it, and changes nothing; an empty one closes', async () => {
    const tech = await desk({ mode: 'claim' });
    const waiting = await chat(tech);
    const close = () =>
      sessionFor(app, admin).then((session) =>
        app.inject({
          method: 'PATCH',
          url: `/api/desks/${tech.id}`,
          headers: session.headers,
          payload: { isActive: false },
        }),
      );
    const refused = await close();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe(
      `A chat is waiting at ${tech.name}. Answer or transfer it before closing the desk.`,
    );
    expect(
      (await app.deps.db.selectFrom('desks').select('is_active').where('id', '=', tech.id).executeTakeFirstOrThrow())
        .is_active,
    ).toBe(true);
    await endConversation(
      app.deps,
      await app.deps.db.selectFrom('conversations').selectAll().where('id', '=', waiting).executeTakeFirstOrThrow(),
      'patron',
    );
    expect((await close()).statusCode).toBe(200);
  });
});

describe.each(dialectsUnderTest())('two server instances sweeping at once on %s', (dialect) => {
  let database: TestDatabase;
  let clock: TestClock;
  let bus: Bus;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
    clock = new TestClock(START);
    bus = createLocalBus();
  });
  afterEach(async () => {
    for (const instance of apps.splice(0)) await instance.app.close();
    await bus.close();
    await database.destroy();
  });

  async function instance(): Promise<TestApp> {
    const started = await buildTestApp(dialect, { database, clock, bus });
    apps.push(started);
    return started;
  }

  it('times an offer out once, rings the next person once and counts a left patron once', async () => {
    const one = await instance();
    const two = await instance();
    const db = database.db;
    const library = await buildLibrary(db);
    const tech = await buildDesk(db, library.id, { mode: 'assign', ring_timeout_seconds: 30 });
    const reference = await buildDesk(db, library.id, { mode: 'claim' });
    const staff = async (deskId: string, freeSince: string) => {
      const member = await buildStaff(db, { library_id: library.id });
      await buildPresence(db, member.id, [deskId]);
      await db.updateTable('staff_presence').set({ free_since: freeSince }).where('staff_id', '=', member.id).execute();
      return member;
    };
    const first = await staff(tech.id, '2026-03-02T07:00:00.000Z');
    const second = await staff(tech.id, '2026-03-02T08:00:00.000Z');
    const answerer = await staff(reference.id, '2026-03-02T08:00:00.000Z');
    const waiting = await buildConversation(db, { library_id: library.id, desk_id: tech.id });
    const leaving = await buildConversation(db, { library_id: library.id, desk_id: reference.id, connected: false });
    const now = clock.now().toISOString();
    await db
      .updateTable('conversations')
      .set({ queued_at: now, patron_left_at: null })
      .where('id', '=', waiting.id)
      .execute();
    await db
      .updateTable('conversations')
      .set({ queued_at: now, patron_left_at: now })
      .where('id', '=', leaving.id)
      .execute();
    await rebalance(one.app.deps, library.id);

    const told: Array<{ to: string; message: BusMessage }> = [];
    for (const member of [first, second, answerer])
      bus.subscribe(topics.staff(member.id), (message) => told.push({ to: member.id, message }));

    clock.advanceMinutes(1);
    await Promise.all([sweep(one.app.deps), sweep(two.app.deps), sweep(one.app.deps), sweep(two.app.deps)]);

    const offers = await db
      .selectFrom('conversation_offers')
      .select(['conversation_id', 'staff_id', 'state'])
      .execute();
    expect(
      offers.filter((o) => o.conversation_id === waiting.id).sort((a, b) => a.state.localeCompare(b.state)),
    ).toEqual([
      { conversation_id: waiting.id, staff_id: second.id, state: 'ringing' },
      { conversation_id: waiting.id, staff_id: first.id, state: 'timeout' },
    ]);
    expect(offers.filter((o) => o.conversation_id === leaving.id)).toEqual([
      { conversation_id: leaving.id, staff_id: answerer.id, state: 'withdrawn' },
    ]);
    const left = await db
      .selectFrom('conversations')
      .select('status')
      .where('id', '=', leaving.id)
      .executeTakeFirstOrThrow();
    expect(left.status).toBe('missed');
    const missed = await db
      .selectFrom('conversation_events')
      .select('seq')
      .where('conversation_id', '=', leaving.id)
      .where('system_kind', '=', 'missed')
      .execute();
    expect(missed).toHaveLength(1);
    // Each person is told once.
    const kinds = (to: string) => told.filter((h) => h.to === to).map((h) => h.message);
    expect(kinds(first.id)).toEqual(
      expect.arrayContaining([
        { kind: 'offer.withdrawn', conversationId: waiting.id, reason: 'timeout', takenBy: null },
      ]),
    );
    expect(kinds(first.id).filter((m) => m.kind === 'offer.withdrawn')).toHaveLength(1);
    expect(kinds(first.id).filter((m) => m.kind === 'presence')).toHaveLength(1);
    expect(kinds(second.id).filter((m) => m.kind === 'offer')).toHaveLength(1);
    expect(kinds(answerer.id)).toEqual([
      { kind: 'offer.withdrawn', conversationId: leaving.id, reason: 'abandoned', takenBy: null },
    ]);
  });
});
