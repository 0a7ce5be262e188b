import type { Desk, DeskQueue, Presence, PresenceStatus, SetPresenceBody } from '@branchline/protocol';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { topics, type BusMessage } from '../../platform/bus.ts';
import type { Db } from '../../platform/db/database.ts';
import type { ConversationRow, OfferRow, PresenceRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { findStaffMember, listStaffMembers } from '../accounts/staff.service.ts';
import { authorizeOnConversation } from '../conversations/conversations.policy.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { commit, appendSystemEvent } from '../conversations/conversations.service.ts';
import { findDesk, listDesksOfLibrary } from '../libraries/libraries.service.ts';
import {
  clearRingDeadline,
  closeOffers,
  insertOffer,
  offersOf,
  passedTimes,
  ringingOffersOfStaff,
  withdrawStaleOffers,
} from './offers.repo.ts';
import {
  connectedAmong,
  departedInstances,
  INSTANCE_STALE_MS,
  isConnected,
  removeInstance,
  type RemovedInstance,
} from './live-connections.ts';
import { findPresence, listPresenceRows, lockPresence, updatePresence } from './presence.repo.ts';

type StaffActor = Extract<Actor, { kind: 'staff' }>;

function deskIdsOf(row: PresenceRow | undefined): string[] {
  return Array.isArray(row?.desk_ids_json) ? (row.desk_ids_json as string[]) : [];
}

async function publish(deps: Deps, topic: string, message: BusMessage): Promise<void> {
  await deps.bus.publish(topic, message).catch((error: unknown) => deps.log.warn({ err: error }, 'bus publish failed'));
}

/** A person's presence changed: their own tabs show it, and colleagues' lists of who can take a chat refresh. */
export async function presenceChanged(deps: Deps, staffId: string, libraryId?: string): Promise<void> {
  await publish(deps, topics.staff(staffId), { kind: 'presence' });
  const library = libraryId ?? (await findStaffMember(deps.db, staffId))?.libraryId;
  if (library) await colleaguesChanged(deps, library);
}

function colleaguesChanged(deps: Deps, libraryId: string): Promise<void> {
  return publish(deps, topics.library(libraryId), { kind: 'colleagues' });
}

export async function presenceOf(deps: Deps, staffId: string): Promise<Presence> {
  const staff = await findStaffMember(deps.db, staffId);
  if (!staff) throw errors.notFound('staff member');
  const row = await findPresence(deps.db, staffId);
  const active = (await conversations.countActiveChatsByAssignee(deps.db, staff.libraryId)).get(staffId) ?? 0;
  return {
    staffId,
    displayName: staff.displayName,
    status: (row?.status as PresenceStatus | undefined) ?? 'offline',
    deskIds: deskIdsOf(row),
    activeChats: active,
    maxChats: staff.maxConcurrentChats,
    connected: await isConnected(deps.db, 'staff', staffId),
  };
}

/** Everyone of the library with their presence: for transfers and the supervisor's view. */
export async function listPresence(deps: Deps, actor: Actor): Promise<Presence[]> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  if (actor.role === 'partner') throw errors.forbidden();
  const staff = (await listStaffMembers(deps.db, actor.libraryId)).filter((s) => s.isActive && s.role !== 'partner');
  const rows = new Map(
    (
      await listPresenceRows(
        deps.db,
        staff.map((s) => s.id),
      )
    ).map((r) => [r.staff_id, r]),
  );
  const active = await conversations.countActiveChatsByAssignee(deps.db, actor.libraryId);
  const connected = await connectedAmong(
    deps.db,
    'staff',
    staff.map((s) => s.id),
  );
  return staff.map((s) => {
    const row = rows.get(s.id);
    return {
      staffId: s.id,
      displayName: s.displayName,
      status: (row?.status as PresenceStatus | undefined) ?? 'offline',
      deskIds: deskIdsOf(row),
      activeChats: active.get(s.id) ?? 0,
      maxChats: s.maxConcurrentChats,
      connected: connected.has(s.id),
    };
  });
}

/** A staff member says whether they are available and which desks they are serving. */
export async function setPresence(deps: Deps, actor: Actor, body: SetPresenceBody): Promise<Presence> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  if (actor.role === 'partner') throw errors.forbidden('Partners do not serve desks.');
  const desks = await listDesksOfLibrary(deps.db, actor.libraryId);
  const known = new Set(desks.filter((d) => d.isActive).map((d) => d.id));
  const unknown = body.deskIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw errors.validation(
      'Some of those desks do not exist or are closed.',
      unknown.map((id) => ({ path: 'deskIds', message: `Unknown desk ${id}` })),
    );
  }
  const now = deps.clock.now().toISOString();
  const existing = await findPresence(deps.db, actor.staffId);
  await updatePresence(
    deps.db,
    actor.staffId,
    {
      status: body.status,
      desk_ids_json: [...new Set(body.deskIds)],
      // "Longest free" counts from when the person became available (or their chats last changed).
      ...(existing?.status === 'available' ? {} : { free_since: now }),
    },
    now,
  );
  await presenceChanged(deps, actor.staffId, actor.libraryId);
  await rebalance(deps, actor.libraryId);
  return presenceOf(deps, actor.staffId);
}

const dropsOf = new WeakMap<Deps, Map<string, number>>();

/** How many times each person's last tab has gone on this instance: the newest drop's grace is the one that counts. */
function lastDrops(deps: Deps): Map<string, number> {
  let drops = dropsOf.get(deps);
  if (!drops) dropsOf.set(deps, (drops = new Map()));
  return drops;
}

/** A dashboard tab connected. */
export async function staffConnected(deps: Deps, actor: StaffActor): Promise<void> {
  const wasConnected = await isConnected(deps.db, 'staff', actor.staffId);
  await deps.connections.opened('staff', actor.staffId);
  if (!wasConnected) await colleaguesChanged(deps, actor.libraryId);
  await rebalance(deps, actor.libraryId);
}

/**
 * A dashboard tab went away. With none left the person gets no new chats at once, and is set
 * offline after a short grace, so a reload or a network blip does not undo their status.
 */
export async function staffDisconnected(deps: Deps, actor: StaffActor): Promise<void> {
  const stillConnected = await deps.connections.closed('staff', actor.staffId);
  await rebalance(deps, actor.libraryId);
  if (stillConnected) return;
  await colleaguesChanged(deps, actor.libraryId);
  // Only the grace of the latest drop counts: a tab that blipped, came back and dropped again (a
  // reload) gets a whole grace from its last drop, not what was left of the first one.
  const drops = lastDrops(deps);
  const drop = (drops.get(actor.staffId) ?? 0) + 1;
  drops.set(actor.staffId, drop);
  const goOffline = async () => {
    if (drops.get(actor.staffId) !== drop) return;
    // Conditional on the count still being zero: a tab that reconnected keeps the person online.
    const now = deps.clock.now().toISOString();
    if (await updatePresence(deps.db, actor.staffId, { status: 'offline' }, now, { noConnections: true })) {
      await presenceChanged(deps, actor.staffId, actor.libraryId);
    }
  };
  const grace = deps.config.staffOfflineGraceSeconds;
  if (grace <= 0) return goOffline();
  setTimeout(
    () => void goOffline().catch((error: unknown) => deps.log.debug({ err: error }, 'offline after grace failed')),
    grace * 1000,
  ).unref();
}

/**
 * Tells people whose number of open chats changed, so their presence shows it. Their idle time
 * starts again: assign desks break ties by who has gone longest without a change in their chats.
 */
export async function announceWorkload(deps: Deps, staffIds: Array<string | null | undefined>): Promise<void> {
  const now = deps.clock.now().toISOString();
  for (const id of new Set(staffIds)) {
    if (!id) continue;
    await updatePresence(deps.db, id, { free_since: now }, now);
    await presenceChanged(deps, id);
  }
}

interface Candidate {
  staffId: string;
  displayName: string;
  active: number;
  max: number;
  freeSince: string;
  deskIds: string[];
}

async function candidates(deps: Deps, libraryId: string): Promise<Candidate[]> {
  const staff = (await listStaffMembers(deps.db, libraryId)).filter((s) => s.isActive && s.role !== 'partner');
  const rows = await listPresenceRows(
    deps.db,
    staff.map((s) => s.id),
  );
  const active = await conversations.countActiveChatsByAssignee(deps.db, libraryId);
  const connected = await connectedAmong(
    deps.db,
    'staff',
    rows.filter((r) => r.status === 'available').map((r) => r.staff_id),
  );
  const byId = new Map(staff.map((s) => [s.id, s]));
  return rows
    .filter((r) => r.status === 'available' && connected.has(r.staff_id))
    .map((r) => ({
      staffId: r.staff_id,
      displayName: byId.get(r.staff_id)?.displayName ?? '',
      active: active.get(r.staff_id) ?? 0,
      max: byId.get(r.staff_id)?.maxConcurrentChats ?? 3,
      freeSince: r.free_since,
      deskIds: deskIdsOf(r),
    }));
}

/** A routing pass under way for one library, and the one promised after it. */
interface Pass {
  running: Promise<void>;
  /** The pass promised to callers who came while `running` was under way. */
  queued?: Promise<void>;
}
const passes = new WeakMap<Deps, Map<string, Pass>>();

/**
 * Makes the offers match the queue: oldest chat first, only to people who are available,
 * serving that desk and under their limit. Claim desks ring everyone eligible; assign desks
 * ring one person at a time (least busy, then longest free). Safe to call at any time.
 *
 * Passes for one library run one at a time: a call during a pass is answered by the next pass,
 * which starts when the current one ends and so sees everything committed before the call. Any
 * number of calls meanwhile share that next pass, so a burst of chats costs two passes, not one
 * each.
 */
export function rebalance(deps: Deps, libraryId: string): Promise<void> {
  let ofLibrary = passes.get(deps);
  if (!ofLibrary) passes.set(deps, (ofLibrary = new Map()));
  const library = ofLibrary;
  const start = (): Promise<void> => {
    const run: Promise<void> = rebalanceOnce(deps, libraryId).finally(() => {
      const pass = library.get(libraryId);
      if (pass?.running === run && !pass.queued) library.delete(libraryId);
    });
    return run;
  };
  const current = library.get(libraryId);
  if (!current) {
    const running = start();
    library.set(libraryId, { running });
    return running;
  }
  if (current.queued) return current.queued;
  const queued = current.running
    .catch(() => undefined)
    .then(() => {
      current.queued = undefined;
      current.running = start();
      return current.running;
    });
  current.queued = queued;
  return queued;
}

async function rebalanceOnce(deps: Deps, libraryId: string): Promise<void> {
  const now = deps.clock.now();
  for (const stale of await withdrawStaleOffers(deps.db, libraryId))
    await publish(deps, topics.staff(stale.staff_id), {
      kind: 'offer.withdrawn',
      conversationId: stale.conversation_id,
      reason: 'taken',
      takenBy: null,
    });
  const queued = await conversations.listQueuedChats(deps.db, libraryId);
  const people = await candidates(deps, libraryId);
  const eligible = new Map(people.filter((p) => p.active < p.max).map((p) => [p.staffId, p]));
  const offers = await offersOf(
    deps.db,
    queued.map((c) => c.id),
  );
  const desks = new Map<string, Desk>();
  for (const id of new Set(queued.map((c) => c.desk_id))) {
    const desk = await findDesk(deps.db, id);
    if (desk) desks.set(id, desk);
  }
  const withdraw = async (offer: OfferRow) => {
    const closed = await closeOffers(deps.db, { offerId: offer.id }, 'withdrawn');
    offer.state = 'withdrawn';
    if (closed.length)
      await publish(deps, topics.staff(offer.staff_id), {
        kind: 'offer.withdrawn',
        conversationId: offer.conversation_id,
        reason: 'timeout',
        takenBy: null,
      });
  };

  // First the rings that no longer fit, so that the places they held are free for the pass below.
  for (const chat of queued) {
    const desk = desks.get(chat.desk_id);
    if (!desk) continue;
    for (const offer of offers.filter((o) => o.conversation_id === chat.id && o.state === 'ringing')) {
      const person = eligible.get(offer.staff_id);
      // Ringing people who can no longer take it stop ringing.
      if (!person || !person.deskIds.includes(desk.id)) await withdraw(offer);
      // The desk became an assign desk: its one-at-a-time ring, with a deadline, replaces these.
      else if (desk.mode === 'assign' && offer.ring_until === null) await withdraw(offer);
      // The desk became a claim desk: the ring goes on until someone answers, with no deadline.
      else if (desk.mode === 'claim' && offer.ring_until !== null && (await clearRingDeadline(deps.db, offer.id))) {
        offer.ring_until = null;
        await publish(deps, topics.staff(offer.staff_id), { kind: 'offer', conversationId: chat.id, ringUntil: null });
      }
    }
  }

  // An assign ring holds one of its person's places, whichever chat comes first in the queue.
  const spare = new Map([...eligible.values()].map((p) => [p.staffId, p.max - p.active]));
  for (const o of offers)
    if (o.state === 'ringing' && o.ring_until !== null) spare.set(o.staff_id, (spare.get(o.staff_id) ?? 0) - 1);
  // Least busy counts the chats each person is being offered as well as those they have open.
  const load = (p: Candidate) => p.max - (spare.get(p.staffId) ?? 0);

  for (const chat of queued) {
    const desk = desks.get(chat.desk_id);
    if (!desk) continue;
    const mine = offers.filter((o) => o.conversation_id === chat.id);
    const ringing = mine.filter((o) => o.state === 'ringing');
    const forDesk = [...eligible.values()].filter((p) => p.deskIds.includes(desk.id));
    // Who let this chat pass (declined it, let it ring out, transferred it here), and when last.
    const passed = passedTimes(mine);
    // Nobody is asked again sooner than one ring time after they let it pass; the sweep comes
    // back for a chat that rings for nobody.
    const askAgainFrom = new Date(now.getTime() - desk.ringTimeoutSeconds * 1000).toISOString();
    const askable = (p: Candidate) => (passed.get(p.staffId) ?? '') <= askAgainFrom;
    if (desk.mode === 'claim') {
      // Everyone who has not let it pass rings; those who did ring again only when nobody else
      // is left to ring, and not before a ring time has gone by.
      const fresh = forDesk.filter((p) => !passed.has(p.staffId));
      const toRing = fresh.length > 0 || ringing.length > 0 ? fresh : forDesk.filter(askable);
      for (const person of toRing) {
        if (ringing.some((o) => o.staff_id === person.staffId)) continue;
        await ring(deps, chat, person.staffId, null, now);
      }
      continue;
    }
    if (ringing.length > 0) continue;
    const withRoom = forDesk.filter((p) => (spare.get(p.staffId) ?? 0) > 0);
    const notYetAsked = withRoom.filter((p) => !passed.has(p.staffId));
    const byLoad = (a: Candidate, b: Candidate) => load(a) - load(b) || a.freeSince.localeCompare(b.freeSince);
    // Everyone free has let it pass: go round again rather than leave it unoffered, first to
    // whoever let it pass longest ago.
    const passedAt = (p: Candidate) => passed.get(p.staffId) ?? '';
    const next =
      notYetAsked.length > 0
        ? notYetAsked.sort(byLoad)[0]
        : withRoom.filter(askable).sort((a, b) => passedAt(a).localeCompare(passedAt(b)) || byLoad(a, b))[0];
    if (!next) continue;
    spare.set(next.staffId, (spare.get(next.staffId) ?? 1) - 1);
    await ring(deps, chat, next.staffId, new Date(now.getTime() + desk.ringTimeoutSeconds * 1000).toISOString(), now);
  }
}

/** Rings one person. The offers table is the record of who was asked; the log stays the patron's story. */
async function ring(
  deps: Deps,
  chat: ConversationRow,
  staffId: string,
  ringUntil: string | null,
  now: Date,
): Promise<void> {
  const offer = await insertOffer(deps.db, {
    conversation_id: chat.id,
    staff_id: staffId,
    state: 'ringing',
    offered_at: now.toISOString(),
    ring_until: ringUntil,
  });
  if (offer) await publish(deps, topics.staff(staffId), { kind: 'offer', conversationId: chat.id, ringUntil });
}

/**
 * Starts this instance's record of connections, and removes what departed instances left. An
 * instance running alone (no shared bus) knows every connection there is: whatever an earlier
 * run recorded is gone, so nobody is connected yet and open chats count their patron as left
 * from now. Instances sharing a bus remove only instances that stopped beating.
 */
export async function startInstance(deps: Deps, options: { alone: boolean }): Promise<void> {
  await deps.connections.start();
  if (!options.alone) return removeDepartedInstances(deps);
  await removeDepartedInstances(deps, 'all');
  const now = deps.clock.now().toISOString();
  await deps.db
    .updateTable('staff_presence')
    .set({ status: 'offline', updated_at: now })
    .where('status', '!=', 'offline')
    .execute();
  await conversations.markOpenPatronsLeft(deps.db, now);
}

/** Every few seconds: this instance's heartbeat, and the removal of instances that stopped beating. */
export async function instanceTick(deps: Deps): Promise<void> {
  await deps.connections.heartbeat();
  await removeDepartedInstances(deps);
}

async function removeDepartedInstances(deps: Deps, which?: 'all'): Promise<void> {
  const staleBefore = new Date(deps.clock.now().getTime() - INSTANCE_STALE_MS).toISOString();
  for (const id of await departedInstances(deps.db, deps.connections.instanceId, which ?? staleBefore)) {
    const removed = await removeInstance(deps.db, id, which === 'all' ? undefined : staleBefore);
    if (removed) await afterConnectionsLost(deps, removed);
  }
}

/**
 * The connections of a departed instance are closed as of its last heartbeat: people left with
 * no dashboard tab go offline (their grace has long passed), and patrons left with no
 * connection count as gone from then, so routing's sweep treats their chats as it would a
 * closed page.
 */
async function afterConnectionsLost(deps: Deps, removed: RemovedInstance): Promise<void> {
  const now = deps.clock.now().toISOString();
  const libraries = new Set<string>();
  for (const { kind, subjectId } of removed.connections) {
    if (kind === 'staff') {
      const staff = await findStaffMember(deps.db, subjectId);
      if (!staff) continue;
      if (await updatePresence(deps.db, subjectId, { status: 'offline' }, now, { noConnections: true }))
        await presenceChanged(deps, subjectId, staff.libraryId);
      libraries.add(staff.libraryId);
    } else if (!(await isConnected(deps.db, 'patron', subjectId))) {
      await conversations.setPatronLeftAt(deps.db, subjectId, removed.lastSeen, { stillPresent: true });
    }
  }
  for (const libraryId of libraries) await rebalance(deps, libraryId);
}

/** First to accept takes the chat; everyone else sees it taken at once. */
export async function acceptConversation(deps: Deps, actor: Actor, conversationId: string): Promise<ConversationRow> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  const existing = await conversations.findConversationById(deps.db, conversationId);
  if (!existing) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.accept', existing);
  const me = await presenceOf(deps, actor.staffId);
  if (me.activeChats >= me.maxChats) {
    throw new AppError('conflict', `You already have ${me.activeChats} chats open, your limit. End one first.`);
  }
  if (!me.deskIds.includes(existing.desk_id) && actor.role !== 'supervisor' && actor.role !== 'admin') {
    throw errors.forbidden('You are not serving this desk.');
  }
  const now = deps.clock.now().toISOString();
  const { row, others } = await commit(deps, async (trx, touched) => {
    await takeChatRoom(
      trx,
      { staffId: actor.staffId, libraryId: actor.libraryId, maxChats: me.maxChats },
      now,
      (open) => new AppError('conflict', `You already have ${open} chats open, your limit. End one first.`),
    );
    const taken = await conversations.transitionConversation(trx, conversationId, ['queued'], {
      status: 'active',
      assignee_id: actor.staffId,
      // The first answer's time: a chat answered again after a transfer to a desk has not waited
      // for the first librarian's part of the conversation.
      accepted_at: sql<string>`coalesce(accepted_at, ${now})`,
      is_over_threshold: false,
      updated_at: now,
    });
    if (!taken) {
      const current = await conversations.findConversationById(trx, conversationId);
      const holder = current?.assignee_id ? await findStaffMember(trx, current.assignee_id) : undefined;
      throw errors.conflict(
        holder ? `${holder.displayName} has already taken this chat.` : 'This chat is no longer waiting.',
      );
    }
    await closeOffers(trx, { conversationId, staffId: actor.staffId }, 'accepted');
    // Set away because this very chat rang out just before they answered it: they are here after all.
    const rangOut = (await offersOf(trx, [conversationId])).some(
      (o) => o.staff_id === actor.staffId && o.state === 'timeout',
    );
    // Decided inside this transaction: the sweep that timed the ring out sets away in its own,
    // so whichever commits first, the person who answered ends up available.
    if (rangOut) await updatePresence(trx, actor.staffId, { status: 'available' }, now, { status: 'away' });
    const withdrawn = await closeOffers(trx, { conversationId }, 'withdrawn');
    await appendSystemEvent(
      trx,
      now,
      conversationId,
      {
        kind: 'accepted',
        body: `${me.displayName} joined the chat`,
        data: { staffId: actor.staffId, staffName: me.displayName },
      },
      touched,
    );
    touched.queue(taken.library_id);
    return { row: taken, others: withdrawn };
  });
  await announceWorkload(deps, [actor.staffId]);
  // Every dashboard tab of the person shows the chat as theirs (and stops ringing for it).
  await publish(deps, topics.staff(actor.staffId), { kind: 'assigned', conversationId });
  await Promise.all(
    others.map((o) =>
      publish(deps, topics.staff(o.staff_id), {
        kind: 'offer.withdrawn',
        conversationId,
        reason: 'taken',
        takenBy: me.displayName,
      }),
    ),
  );
  await rebalance(deps, row.library_id);
  return row;
}

/** Assign mode: pass an offered chat on to the next person. */
export async function declineOffer(deps: Deps, actor: Actor, conversationId: string): Promise<void> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  const closed = await closeOffers(
    deps.db,
    { conversationId, staffId: actor.staffId },
    'declined',
    deps.clock.now().toISOString(),
  );
  if (closed.length === 0) throw errors.conflict('That chat is not ringing for you.');
  await publish(deps, topics.staff(actor.staffId), {
    kind: 'offer.withdrawn',
    conversationId,
    reason: 'declined',
    takenBy: null,
  });
  await rebalance(deps, actor.libraryId);
}

/** Chats currently ringing for one person, for a dashboard that just connected. */
export async function ringingFor(deps: Deps, staffId: string) {
  return ringingOffersOfStaff(deps.db, staffId);
}

/** Waiting chats per desk, with the highlight for those past the desk's threshold. */
export async function queueSnapshot(deps: Deps, libraryId: string): Promise<DeskQueue[]> {
  const queued = await conversations.listQueuedChats(deps.db, libraryId);
  const desks = await listDesksOfLibrary(deps.db, libraryId);
  return desks
    .filter((d) => d.isActive)
    .map((desk) => {
      const waiting = queued.filter((c) => c.desk_id === desk.id);
      return {
        deskId: desk.id,
        waiting: waiting.length,
        // The longest wait at the desk now: a chat handed back to the front has waited there least.
        oldestQueuedAt: waiting.map(conversations.waitingSince).sort()[0] ?? null,
        overThreshold: waiting.some((c) => c.is_over_threshold),
      };
    });
}

/** Stops every offer of a conversation ringing (it ended or moved); answers whom to tell. */
/**
 * Inside the transaction that gives someone a chat (an accept, a transfer to them): their presence
 * row is the lock, so two such transactions for one person take turns and the second counts the
 * first chat against their limit. Throws `refusal` when they have no room left.
 */
export async function takeChatRoom(
  trx: Db,
  who: { staffId: string; libraryId: string; maxChats: number },
  now: string,
  refusal: (open: number) => AppError,
): Promise<void> {
  await lockPresence(trx, who.staffId, now);
  const open = (await conversations.countActiveChatsByAssignee(trx, who.libraryId)).get(who.staffId) ?? 0;
  if (open >= who.maxChats) throw refusal(open);
}

/** Someone passed a chat on (a transfer to a desk): routing treats it as their decline. */
export async function recordPassedOn(trx: Db, conversationId: string, staffId: string, now: string): Promise<void> {
  await insertOffer(trx, {
    conversation_id: conversationId,
    staff_id: staffId,
    state: 'declined',
    offered_at: now,
    ring_until: null,
    passed_at: now,
  });
}

export function withdrawOffers(trx: Db, conversationId: string) {
  return closeOffers(trx, { conversationId }, 'withdrawn');
}

/**
 * How a chat that nobody took counts when its patron goes: missed if it rang for someone who did
 * not answer, abandoned if they gave up before anyone was asked.
 */
export async function unansweredOutcome(db: Db, conversationId: string): Promise<'missed' | 'abandoned'> {
  return (await offersOf(db, [conversationId])).length > 0 ? 'missed' : 'abandoned';
}

export { sweep } from './sweep.ts';
