import type { BlockScope } from '@branchline/protocol';
import type { ConversationEventRow, ConversationRow } from '../../platform/db/schema.ts';
import type { Actor } from '../../platform/actor.ts';
import { topics } from '../../platform/bus.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/tokens.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findStaffMember } from '../accounts/staff.service.ts';
import { authorizeOnConversation, canOnConversation } from '../conversations/conversations.policy.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { appendEvent, commit, appendSystemEvent } from '../conversations/conversations.service.ts';
import { findDesk } from '../libraries/libraries.service.ts';
import {
  announceWorkload,
  presenceOf,
  rebalance,
  recordPassedOn,
  takeChatRoom,
  withdrawOffers,
} from '../routing/routing.service.ts';
import { endConversation } from './chat.service.ts';

type StaffActor = Extract<Actor, { kind: 'staff' }>;
const ENDED = conversations.CLOSED_STATUSES;

async function conversationToActOn(
  deps: Deps,
  actor: Actor,
  conversationId: string,
): Promise<{ row: ConversationRow; actor: StaffActor; displayName: string }> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  const row = await conversations.findConversationById(deps.db, conversationId);
  if (!row) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.act', row);
  // Past the library's retention nothing is added: a note or a block would outlive the purge.
  if (row.purged_at !== null)
    throw errors.conflict(
      'This conversation’s transcript and the patron’s details were deleted under the library’s retention setting, so nothing more can be done with it.',
    );
  const me = await findStaffMember(deps.db, actor.staffId);
  return { row, actor, displayName: me?.displayName ?? 'A librarian' };
}

export interface StaffSend {
  conversationId: string;
  clientId: string;
  body: string;
  internal: boolean;
}

/** A reply the patron sees, or an internal note they never see. Idempotent by client id. */
export async function sendStaffMessage(deps: Deps, actor: Actor, input: StaffSend): Promise<ConversationEventRow> {
  // A resend of one's own stored message (its ack was lost) is answered with it, whatever has
  // happened to the chat since: ended, transferred away.
  if (actor.kind === 'staff') {
    const stored = await conversations.findEventByClientId(deps.db, input.conversationId, input.clientId);
    if (stored && stored.author_staff_id === actor.staffId) return stored;
  }
  const { row, actor: me, displayName } = await conversationToActOn(deps, actor, input.conversationId);
  if (!input.internal) {
    if (ENDED.includes(row.status))
      throw errors.conflict('This chat has ended; the patron can no longer see new messages.');
    if (row.status === 'queued') throw errors.conflict('Accept the chat before replying.');
  }
  const now = deps.clock.now().toISOString();
  const author = { kind: 'staff' as const, staffId: me.staffId, displayName };
  const stored = await commit(deps, async (trx, touched) => {
    const { event, isDuplicate } = await appendEvent(
      trx,
      now,
      row.id,
      {
        type: input.internal ? 'note' : 'message',
        author,
        body: input.body,
        clientId: input.clientId,
      },
      touched,
    );
    if (!isDuplicate && !input.internal && row.first_response_at === null) {
      await conversations.updateConversationRow(trx, row.id, { first_response_at: now });
    }
    return { event, isDuplicate };
  });
  if (!stored.isDuplicate && !input.internal) deps.metrics.chatMessages.inc({ author: 'staff' });
  return stored.event;
}

/**
 * Typing and seen are passing signals: from someone who may read the chat but no longer handles it
 * (it was just transferred away) they are dropped quietly rather than answered with an error.
 */
async function mayActQuietly(deps: Deps, actor: Actor, conversationId: string): Promise<boolean> {
  const row = await conversations.findConversationById(deps.db, conversationId);
  if (!row) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.read', row);
  return canOnConversation(actor, 'conversation.act', row);
}

export async function staffTyping(deps: Deps, actor: Actor, conversationId: string, isTyping: boolean): Promise<void> {
  if (!(await mayActQuietly(deps, actor, conversationId))) return;
  const { row, displayName } = await conversationToActOn(deps, actor, conversationId);
  if (row.status !== 'active') return;
  await deps.bus.publish(topics.conversation(conversationId), { kind: 'typing', from: 'staff', displayName, isTyping });
}

export async function staffSeen(deps: Deps, actor: Actor, conversationId: string, seq: number): Promise<void> {
  if (!(await mayActQuietly(deps, actor, conversationId))) return;
  const { row } = await conversationToActOn(deps, actor, conversationId);
  const upTo = Math.min(seq, row.last_seq);
  if (upTo <= row.staff_seen_seq) return;
  if (!(await conversations.raiseSeenSeq(deps.db, row.id, 'staff', upTo))) return;
  await deps.bus.publish(topics.conversation(conversationId), { kind: 'seen', by: 'staff', seq: upTo });
}

export async function endByStaff(deps: Deps, actor: Actor, conversationId: string): Promise<void> {
  const { row, displayName } = await conversationToActOn(deps, actor, conversationId);
  if (ENDED.includes(row.status)) return;
  await endConversation(deps, row, { staffName: displayName });
}

/**
 * Closes an ended chat in its staff member's console (wrap-up done): it leaves My chats on every
 * tab. Closing again changes nothing.
 */
export async function closeEndedChat(deps: Deps, actor: Actor, conversationId: string): Promise<void> {
  const { row } = await conversationToActOn(deps, actor, conversationId);
  if (!ENDED.includes(row.status)) throw errors.conflict('End the chat before closing it.');
  if (row.closed_at !== null) return;
  const now = deps.clock.now().toISOString();
  await commit(deps, async (trx, touched) => {
    await conversations.updateConversationRow(trx, row.id, { closed_at: now, updated_at: now });
    touched.state(row.id);
  });
}

export interface Transfer {
  conversationId: string;
  toStaffId?: string | undefined;
  toDeskId?: string | undefined;
  note: string;
}

/**
 * Hands an active chat to a colleague (at once) or back to a desk's queue (at the front). The
 * patron sees a polite message; the note stays internal; nothing sent meanwhile is lost, because
 * the log does not move — only who answers it.
 */
export async function transferConversation(deps: Deps, actor: Actor, input: Transfer): Promise<void> {
  if ((input.toStaffId === undefined) === (input.toDeskId === undefined)) {
    throw errors.validation('Choose either a colleague or a desk.', [
      { path: 'toStaffId', message: 'Choose one target' },
    ]);
  }
  const { row, actor: me, displayName } = await conversationToActOn(deps, actor, input.conversationId);
  if (row.status !== 'active') throw errors.conflict('Only a chat in progress can be transferred.');
  const now = deps.clock.now().toISOString();
  const author = { kind: 'staff' as const, staffId: me.staffId, displayName };

  if (input.toStaffId !== undefined) {
    const target = await findStaffMember(deps.db, input.toStaffId);
    if (!target || target.libraryId !== row.library_id || !target.isActive || target.role === 'partner')
      throw errors.notFound('staff member');
    if (target.id === row.assignee_id) throw errors.conflict('The chat is already theirs.');
    const presence = await presenceOf(deps, target.id);
    if (!presence.connected || presence.status === 'offline')
      throw errors.conflict(`${target.displayName} is offline.`);
    const noRoom = () => errors.conflict(`${target.displayName} has no room for another chat.`);
    if (presence.activeChats >= presence.maxChats) throw noRoom();
    await commit(deps, async (trx, touched) => {
      // Checked again behind their lock: an accept or another transfer to them may have come first.
      await takeChatRoom(
        trx,
        { staffId: target.id, libraryId: row.library_id, maxChats: presence.maxChats },
        now,
        noRoom,
      );
      const moved = await conversations.transitionConversation(trx, row.id, ['active'], {
        assignee_id: target.id,
        updated_at: now,
      });
      if (!moved) throw errors.conflict('The chat changed meanwhile; try again.');
      if (input.note) await appendEvent(trx, now, row.id, { type: 'note', author, body: input.note }, touched);
      await appendSystemEvent(
        trx,
        now,
        row.id,
        {
          kind: 'transferred',
          body: `${displayName} transferred the chat to ${target.displayName}`,
          data: { fromName: displayName, toName: target.displayName, toStaffId: target.id },
        },
        touched,
      );
    });
    await deps.bus.publish(topics.staff(target.id), { kind: 'assigned', conversationId: row.id, from: displayName });
    await announceWorkload(deps, [row.assignee_id, target.id]);
    await rebalance(deps, row.library_id);
    return;
  }

  const desk = await findDesk(deps.db, input.toDeskId ?? '');
  if (!desk || desk.libraryId !== row.library_id || !desk.isActive) throw errors.notFound('desk');
  await commit(deps, async (trx, touched) => {
    // Back to the front of the queue: the patron has already waited once.
    const moved = await conversations.transitionConversation(trx, row.id, ['active'], {
      status: 'queued',
      desk_id: desk.id,
      assignee_id: null,
      is_over_threshold: false,
      requeued_at: now,
      updated_at: now,
    });
    if (!moved) throw errors.conflict('The chat changed meanwhile; try again.');
    await withdrawOffers(trx, row.id);
    // The sender is passing it on: an assign desk asks the others first, as after a decline.
    await recordPassedOn(trx, row.id, me.staffId, now);
    if (input.note) await appendEvent(trx, now, row.id, { type: 'note', author, body: input.note }, touched);
    await appendSystemEvent(
      trx,
      now,
      row.id,
      {
        kind: 'transferred',
        body: `${displayName} transferred the chat to ${desk.name}`,
        data: { fromName: displayName, toDesk: desk.name, toDeskId: desk.id },
      },
      touched,
    );
    touched.queue(row.library_id);
  });
  await announceWorkload(deps, [row.assignee_id]);
  await rebalance(deps, row.library_id);
}

export async function wrapUp(
  deps: Deps,
  actor: Actor,
  conversationId: string,
  tags: string[],
  readScale: number | null,
): Promise<void> {
  const { row } = await conversationToActOn(deps, actor, conversationId);
  const now = deps.clock.now().toISOString();
  await commit(deps, async (trx, touched) => {
    await conversations.updateConversationRow(trx, row.id, {
      tags_json: [...new Set(tags.map((t) => t.toLowerCase()))],
      read_scale: readScale,
      updated_at: now,
    });
    touched.state(row.id);
  });
}

/**
 * Blocks an abusive patron for a while (audited) and ends the chat: their browser, or everyone
 * at their address. A browser the widget could not mark (storage refused) can only be blocked
 * by address, and the person blocking must choose that knowingly.
 */
export async function blockPatron(
  deps: Deps,
  actor: Actor,
  conversationId: string,
  block: { minutes: number; reason: string; scope: BlockScope },
): Promise<void> {
  const { minutes, reason, scope } = block;
  const { row, actor: me, displayName } = await conversationToActOn(deps, actor, conversationId);
  if (scope === 'network' && row.patron_ip_hash === '')
    throw errors.validation('This patron’s address is not known, so it cannot be blocked.', [
      { path: 'scope', message: 'This patron’s address is not known' },
    ]);
  if (scope === 'browser' && row.patron_browser_hash === null)
    throw errors.validation('This patron’s browser cannot be recognised. Block their network address instead.', [
      { path: 'scope', message: 'This patron’s browser cannot be recognised' },
    ]);
  const now = deps.clock.now();
  const until = new Date(now.getTime() + minutes * 60_000).toISOString();
  await commit(deps, async (trx, touched) => {
    await trx
      .insertInto('patron_blocks')
      .values({
        id: newId(),
        library_id: row.library_id,
        patron_id: row.patron_id,
        ip_hash: row.patron_ip_hash,
        browser_hash: row.patron_browser_hash,
        scope,
        reason,
        created_by: me.staffId,
        created_at: now.toISOString(),
        until,
      })
      .execute();
    await appendSystemEvent(
      trx,
      now.toISOString(),
      row.id,
      {
        kind: 'blocked',
        body:
          scope === 'network'
            ? `${displayName} blocked everyone at this patron’s address for ${minutes} minutes`
            : `${displayName} blocked this patron’s browser for ${minutes} minutes`,
        data: { until, scope },
      },
      touched,
    );
    await recordAudit(trx, actor, now.toISOString(), {
      action: 'patron.blocked',
      subjectType: 'conversation',
      subjectId: row.id,
      libraryId: row.library_id,
      details: { minutes, scope },
    });
  });
  const fresh = await conversations.findConversationById(deps.db, row.id);
  if (fresh && !ENDED.includes(fresh.status)) await endConversation(deps, fresh, { staffName: displayName });
}
