import { topics } from '../../platform/bus.ts';
import type { Deps } from '../../platform/deps.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { commit, appendSystemEvent } from '../conversations/conversations.service.ts';
import { findDesk } from '../libraries/libraries.service.ts';
import { connectedAmong } from './live-connections.ts';
import type { ConversationRow, OfferRow } from '../../platform/db/schema.ts';
import { findStaffMember } from '../accounts/staff.service.ts';
import { closeOffers, expiredOffers, offersOf, passedTimes } from './offers.repo.ts';
import { listOfflineSince, lockPresence, updatePresence } from './presence.repo.ts';
import { announceWorkload, presenceChanged, rebalance, unansweredOutcome } from './routing.service.ts';

/**
 * The clockwork of routing, run every second (and by tests with a fake clock): unanswered
 * offers time out and their person is set away; long waits are flagged; patrons who left the
 * queue are counted abandoned or missed. Every step is a conditional update, so several
 * instances may sweep at once.
 */
export async function sweep(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const iso = now.toISOString();
  const libraries = new Set<string>();

  for (const offer of await expiredOffers(deps.db, iso)) {
    const chat = await conversations.findConversationById(deps.db, offer.conversation_id);
    if (chat && (await findDesk(deps.db, chat.desk_id))?.mode === 'claim') {
      // Rung while the desk assigned one person at a time; it now rings everyone until someone
      // answers, so nobody is set away: the routing pass takes the deadline off instead.
      libraries.add(chat.library_id);
      continue;
    }
    // One transaction: an accept of this very chat at the same moment either comes first (the
    // offer no longer rings, nobody is set away) or sees the ring timed out and puts them back.
    // The person's presence row is taken first, in the order an accept takes it, so the two wait
    // for each other instead of deadlocking.
    const { closed, setAway } = await deps.db.transaction().execute(async (trx) => {
      await lockPresence(trx, offer.staff_id, iso);
      const closed = await closeOffers(trx, { offerId: offer.id }, 'timeout', iso);
      if (closed.length === 0) return { closed, setAway: false };
      return {
        closed,
        setAway: await updatePresence(trx, offer.staff_id, { status: 'away' }, iso, { status: 'available' }),
      };
    });
    if (closed.length === 0) continue;
    if (setAway) await presenceChanged(deps, offer.staff_id, chat?.library_id);
    await deps.bus.publish(topics.staff(offer.staff_id), {
      kind: 'offer.withdrawn',
      conversationId: offer.conversation_id,
      reason: 'timeout',
      takenBy: null,
    });
    if (chat) libraries.add(chat.library_id);
  }

  const queued = await conversations.listQueuedChats(deps.db);
  const connected = await connectedAmong(
    deps.db,
    'patron',
    queued.map((c) => c.id),
  );
  const offersByChat = new Map<string, OfferRow[]>();
  const queuedIds = queued.map((c) => c.id);
  for (const offer of await offersOf(deps.db, queuedIds)) {
    const list = offersByChat.get(offer.conversation_id);
    if (list) list.push(offer);
    else offersByChat.set(offer.conversation_id, [offer]);
  }
  const desks = new Map<string, Awaited<ReturnType<typeof findDesk>>>();
  for (const chat of queued) {
    if (!desks.has(chat.desk_id)) desks.set(chat.desk_id, await findDesk(deps.db, chat.desk_id));
    const desk = desks.get(chat.desk_id);
    if (desk && askAgainNow(offersByChat.get(chat.id) ?? [], desk.ringTimeoutSeconds, now)) {
      libraries.add(chat.library_id);
    }
    if (
      !chat.is_over_threshold &&
      desk &&
      // Waiting longer than the threshold, not merely as long; at this desk, since it was (re)queued.
      new Date(conversations.waitingSince(chat)).getTime() + desk.waitThresholdSeconds * 1000 < now.getTime()
    ) {
      const flagged = await conversations.transitionConversation(deps.db, chat.id, ['queued'], {
        is_over_threshold: true,
      });
      if (flagged) {
        await deps.bus.publish(topics.library(chat.library_id), { kind: 'queue' });
      }
    }
    const graceEnds = chat.patron_left_at
      ? new Date(chat.patron_left_at).getTime() + deps.config.chatReconnectGraceSeconds * 1000
      : Infinity;
    if (!connected.has(chat.id) && graceEnds <= now.getTime()) {
      await markLeft(deps, chat.id, iso);
      libraries.add(chat.library_id);
    }
  }

  // Someone whose every dashboard tab went (a crashed browser, a laptop closed) and who stayed
  // offline past the hand-back time: their chats in progress go back to the front of their desk's
  // queue, so no patron waits for a librarian who is not coming back.
  const goneBefore = new Date(now.getTime() - deps.config.staffChatHandbackSeconds * 1000).toISOString();
  const offline = (await listOfflineSince(deps.db, goneBefore)).map((r) => r.staff_id);
  if (offline.length > 0) {
    const back = await connectedAmong(deps.db, 'staff', offline);
    const gone = offline.filter((id) => !back.has(id));
    for (const chat of await conversations.listActiveChatsOf(deps.db, gone)) {
      if (await handBack(deps, chat, iso)) libraries.add(chat.library_id);
    }
  }
  for (const libraryId of libraries) await rebalance(deps, libraryId);
}

/** A gone librarian's chat back to the front of its desk's queue, the patron told as for a transfer. */
async function handBack(deps: Deps, chat: ConversationRow, now: string): Promise<boolean> {
  const staffId = chat.assignee_id;
  if (staffId === null) return false;
  const [desk, staff] = await Promise.all([findDesk(deps.db, chat.desk_id), findStaffMember(deps.db, staffId)]);
  const name = staff?.displayName ?? 'The librarian';
  const deskName = desk?.name ?? 'the queue';
  const moved = await commit(deps, async (trx, touched) => {
    const row = await conversations.findConversationById(trx, chat.id);
    if (row?.status !== 'active' || row.assignee_id !== staffId) return false;
    const queued = await conversations.transitionConversation(trx, chat.id, ['active'], {
      status: 'queued',
      assignee_id: null,
      is_over_threshold: false,
      requeued_at: now,
      updated_at: now,
    });
    if (!queued) return false;
    await appendSystemEvent(
      trx,
      now,
      chat.id,
      {
        kind: 'transferred',
        body: `${name} lost their connection; the chat went back to ${deskName}`,
        data: { fromName: name, toDesk: deskName, toDeskId: chat.desk_id, reason: 'disconnected' },
      },
      touched,
    );
    touched.queue(chat.library_id);
    return true;
  });
  if (moved) await announceWorkload(deps, [staffId]);
  return moved;
}

/** How long after a pass's wait ends the sweep still routes its chat (a sweep may run late). */
const ASK_AGAIN_WINDOW_MS = 10_000;

/**
 * A chat ringing for nobody because everyone let it pass: routing may ask again once a ring time
 * has gone by since the last pass. Anything else that could change who to ask (someone becoming
 * available, a chat ending) routes at once, so the sweep only watches for that moment.
 */
function askAgainNow(offers: OfferRow[], ringTimeoutSeconds: number, now: Date): boolean {
  if (offers.some((o) => o.state === 'ringing')) return false;
  const last = [...passedTimes(offers).values()].sort().at(-1);
  if (last === undefined) return false;
  const waitEnds = new Date(last).getTime() + ringTimeoutSeconds * 1000;
  return waitEnds <= now.getTime() && now.getTime() < waitEnds + ASK_AGAIN_WINDOW_MS;
}

/**
 * The patron left while waiting. Missed if it rang for someone who did not answer in time;
 * abandoned if the patron gave up before anyone was asked; resolved if someone had answered
 * before the chat went back to a queue (a transfer to a desk).
 */
async function markLeft(deps: Deps, conversationId: string, now: string): Promise<void> {
  const unanswered = await unansweredOutcome(deps.db, conversationId);
  const closing = { resolved_at: now, updated_at: now };
  const withdrawn = await commit(deps, async (trx, touched) => {
    const left =
      (await conversations.transitionConversation(
        trx,
        conversationId,
        ['queued'],
        { ...closing, status: unanswered },
        { neverAccepted: true },
      )) ??
      (await conversations.transitionConversation(trx, conversationId, ['queued'], {
        ...closing,
        status: 'resolved',
      }));
    if (!left) return [];
    const event =
      left.status === 'resolved'
        ? ({ kind: 'ended', body: 'The patron left while waiting for another desk' } as const)
        : left.status === 'missed'
          ? ({ kind: 'missed', body: 'The patron left before anyone answered' } as const)
          : ({ kind: 'abandoned', body: 'The patron left the queue' } as const);
    await appendSystemEvent(trx, now, conversationId, event, touched);
    touched.queue(left.library_id);
    return closeOffers(trx, { conversationId }, 'withdrawn');
  });
  for (const offer of withdrawn) {
    await deps.bus.publish(topics.staff(offer.staff_id), {
      kind: 'offer.withdrawn',
      conversationId,
      reason: 'abandoned',
      takenBy: null,
    });
  }
}
