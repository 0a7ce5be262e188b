import { StaffClientFrame, type StaffServerFrame } from '@branchline/protocol';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Actor } from '../../platform/actor.ts';
import { topics, type BusMessage } from '../../platform/bus.ts';
import type { ConversationEventRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { isAppError } from '../../platform/errors.ts';
import { SESSION_COOKIE } from '../../platform/http/auth-plugin.ts';
import { resolveSession } from '../accounts/auth.service.ts';
import { canOnConversation } from '../conversations/conversations.policy.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { presentEvent } from '../conversations/conversations.presenter.ts';
import { eventsSince, presentRow, recordViewed } from '../conversations/conversations.service.ts';
import * as routing from '../routing/routing.service.ts';
import { acceptFrame, sendFrame, SerialQueue, throttled } from './frames.ts';
import * as staffChat from './staff-chat.service.ts';

type StaffActor = Extract<Actor, { kind: 'staff' }>;
const QUEUE_REFRESH_MS = 1000;
const PREVIEW_CHARS = 280;
/** Ended chats not closed yet come back to the console for a shift's length, for their wrap-up. */
const UNCLOSED_SHOWN_MS = 12 * 60 * 60 * 1000;
/** Besides before every frame and whenever the person's access changes, the session is checked this often. */
const SESSION_RECHECK_MS = 60_000;

/** The patron's first message, shortened, for an offer. */
async function previewFor(deps: Deps, conversationId: string): Promise<string | null> {
  const first = (
    await conversations.listEventsAfter(deps.db, conversationId, 0, { includeNotes: false, limit: 5 })
  ).find((e) => e.type === 'message' && e.author_kind === 'patron');
  if (!first) return null;
  return first.body.length > PREVIEW_CHARS ? `${first.body.slice(0, PREVIEW_CHARS - 1)}…` : first.body;
}

/**
 * One dashboard tab. After `hello` it follows the person's own chats (and any others it
 * subscribes to) from the given sequence numbers, rings with offers, and shows the queues.
 */
export function staffSocket(deps: Deps) {
  return (socket: WebSocket, request: FastifyRequest): void => {
    const actor = request.actor as StaffActor;
    const sessionToken = request.cookies[SESSION_COOKIE] ?? '';
    const own = new URL(deps.config.publicUrl).origin.toLowerCase();
    const origin = request.headers.origin?.toLowerCase();
    // Cross-site WebSocket hijacking: the cookie would ride along, so the page must be ours.
    if (
      origin !== undefined &&
      origin !== own &&
      origin !== `${request.protocol}://${request.headers.host ?? ''}`.toLowerCase()
    ) {
      sendFrame(socket, { type: 'error', code: 'forbidden', message: 'Open the dashboard from its own address.' });
      socket.close(4403, 'origin not allowed');
      return;
    }
    // Partners take referrals, not chats: the queues, offers and colleagues' comings and goings are not theirs.
    if (actor.role === 'partner') {
      sendFrame(socket, { type: 'error', code: 'forbidden', message: 'Partners do not answer chats.' });
      socket.close(4403, 'partners do not answer chats');
      return;
    }
    const serial = new SerialQueue((error) => request.log.warn({ err: error }, 'staff delivery failed'));
    const cursors = new Map<string, number>();
    /** Conversations not the person's that this connection has followed, already in the audit log. */
    const viewed = new Set<string>();
    const unsubscribe = new Map<string, () => void>();
    const send = (frame: StaffServerFrame) => sendFrame(socket, frame);
    const previewOf = (conversationId: string) => previewFor(deps, conversationId);
    let greeted = false;
    let closed = false;

    const deliver = (conversationId: string, carried?: ConversationEventRow[]) =>
      serial.push(async () => {
        let changedState = false;
        // Page after page: a tab following a long chat from its start gets all of it.
        for (let page = carried; ; page = undefined) {
          const after = cursors.get(conversationId);
          if (after === undefined) return;
          const rows = await eventsSince(deps.db, conversationId, after, { includeNotes: true, carried: page });
          for (const row of rows) {
            if (row.seq <= (cursors.get(conversationId) ?? 0)) continue;
            send({ type: 'event', conversationId, event: presentEvent(row) });
            cursors.set(conversationId, row.seq);
          }
          changedState ||= rows.some((r) => r.type === 'system');
          if (rows === page || rows.length < conversations.EVENTS_PAGE) break;
        }
        if (changedState) await sendConversation(conversationId);
      });
    const sendConversation = async (conversationId: string) => {
      const row = await conversations.findConversationById(deps.db, conversationId);
      if (row) send({ type: 'conversation', conversation: await presentRow(deps.db, row) });
    };
    const follow = (conversationId: string, after: number) => {
      if (closed) return;
      cursors.set(conversationId, Math.max(after, cursors.get(conversationId) ?? -1));
      if (!unsubscribe.has(conversationId)) {
        unsubscribe.set(
          conversationId,
          deps.bus.subscribe(topics.conversation(conversationId), (m) => onConversation(conversationId, m)),
        );
      }
      void deliver(conversationId);
    };
    const onConversation = (conversationId: string, message: BusMessage) => {
      if (message.kind === 'events') {
        if (message.lastSeq > (cursors.get(conversationId) ?? 0)) void deliver(conversationId, message.events);
      } else if (message.kind === 'conversation') void serial.push(() => sendConversation(conversationId));
      // Whether the patron is typing, never what: a typing preview would show words they chose not to send.
      else if (message.kind === 'typing' && message.from === 'patron')
        send({ type: 'typing', conversationId, isTyping: message.isTyping });
      else if (message.kind === 'seen' && message.by === 'patron')
        send({ type: 'seen', conversationId, seq: message.seq });
    };
    const onStaff = (message: BusMessage) =>
      void serial.push(async () => {
        if (message.kind === 'offer') {
          const row = await conversations.findConversationById(deps.db, message.conversationId);
          if (row?.status === 'queued')
            send({
              type: 'offer',
              conversation: await presentRow(deps.db, row),
              ringUntil: message.ringUntil,
              preview: await previewOf(row.id),
            });
        } else if (message.kind === 'offer.withdrawn') {
          send({
            type: 'offer.withdrawn',
            conversationId: message.conversationId,
            reason: message.reason,
            takenBy: message.takenBy,
          });
        } else if (message.kind === 'access') {
          await sessionHolds();
        } else if (message.kind === 'presence') {
          send({ type: 'presence', presence: await routing.presenceOf(deps, actor.staffId) });
        } else if (message.kind === 'assigned') {
          follow(message.conversationId, 0);
          await sendConversation(message.conversationId);
          // A chat handed over by a colleague rings like a new one: the patron is already waiting.
          if (message.from !== undefined)
            send({ type: 'conversation.transferred', conversationId: message.conversationId, from: message.from });
        }
      });
    const queueRefresh = throttled(QUEUE_REFRESH_MS, () => {
      void serial.push(async () => send({ type: 'queue', queues: await routing.queueSnapshot(deps, actor.libraryId) }));
    });
    // A burst of presence changes (a shift starting, an instance restarting) is one frame a second.
    const colleaguesRefresh = throttled(QUEUE_REFRESH_MS, () => send({ type: 'colleagues' }));
    const onLibrary = (message: BusMessage) => {
      if (message.kind === 'queue') queueRefresh.call();
      else if (message.kind === 'colleagues') colleaguesRefresh.call();
    };

    /**
     * Whether the person is still signed in as they were when the socket opened. A session ended
     * (signed out, deactivated, password changed elsewhere, expired) or a changed role closes the
     * socket: the dashboard reconnects, or asks to sign in, with what the person may do now.
     */
    async function sessionHolds(): Promise<boolean> {
      if (closed) return false;
      const now = (await resolveSession(deps, sessionToken))?.actor;
      if (now?.kind === 'staff' && now.staffId === actor.staffId && now.role === actor.role) return true;
      if (closed) return false;
      closed = true;
      send({ type: 'error', code: 'unauthenticated', message: 'Your session has ended. Sign in again.' });
      socket.close(4401, 'session ended');
      return false;
    }
    const recheck = setInterval(() => void serial.push(async () => void (await sessionHolds())), SESSION_RECHECK_MS);
    recheck.unref();

    const offStaff = deps.bus.subscribe(topics.staff(actor.staffId), onStaff);
    const offLibrary = deps.bus.subscribe(topics.library(actor.libraryId), onLibrary);
    // Counted before any frame is handled, so hello and presence.set see this tab.
    void serial.push(() => routing.staffConnected(deps, actor));

    socket.on('message', (raw, isBinary) => {
      const read = acceptFrame(raw, isBinary, StaffClientFrame, serial);
      if ('error' in read) return send(read.error);
      const frame = read.frame;
      void serial.push(async () => {
        if (!(await sessionHolds())) return;
        try {
          await handle(frame);
        } catch (error) {
          const conversationId = 'conversationId' in frame ? frame.conversationId : undefined;
          const clientId = 'clientId' in frame ? frame.clientId : undefined;
          if (isAppError(error)) {
            return send({
              type: 'error',
              code: error.code,
              message: error.message,
              ...(conversationId ? { conversationId } : {}),
              ...(clientId ? { clientId } : {}),
            });
          }
          request.log.error({ err: error }, 'staff frame failed');
          send({ type: 'error', code: 'internal', message: 'Something went wrong on our side. Please try again.' });
        }
      });
    });

    async function handle(frame: StaffClientFrame): Promise<void> {
      switch (frame.type) {
        case 'hello': {
          if (greeted) return;
          greeted = true;
          const endedSince = new Date(deps.clock.now().getTime() - UNCLOSED_SHOWN_MS).toISOString();
          const mine = await conversations.listConsoleRows(deps.db, actor.staffId, endedSince, 100);
          const offers = [];
          for (const offer of await routing.ringingFor(deps, actor.staffId)) {
            const row = await conversations.findConversationById(deps.db, offer.conversation_id);
            if (row?.status === 'queued')
              offers.push({
                conversation: await presentRow(deps.db, row),
                ringUntil: offer.ring_until,
                preview: await previewOf(row.id),
              });
          }
          send({
            type: 'welcome',
            presence: await routing.presenceOf(deps, actor.staffId),
            conversations: await Promise.all(mine.map((r) => presentRow(deps.db, r))),
            queues: await routing.queueSnapshot(deps, actor.libraryId),
            offers,
          });
          const asked = new Map(frame.subscriptions.map((s) => [s.conversationId, s.after]));
          // A cursor past the log (a client's stale or wrong number) starts from its end instead.
          for (const row of mine) follow(row.id, Math.min(asked.get(row.id) ?? 0, row.last_seq));
          for (const [id, after] of asked) if (!cursors.has(id)) await subscribe(id, after);
          return;
        }
        case 'subscribe':
          return subscribe(frame.conversationId, frame.after);
        case 'unsubscribe': {
          unsubscribe.get(frame.conversationId)?.();
          unsubscribe.delete(frame.conversationId);
          cursors.delete(frame.conversationId);
          return;
        }
        case 'presence.set':
          await routing.setPresence(deps, actor, { status: frame.status, deskIds: frame.deskIds });
          return;
        case 'conversation.accept': {
          const row = await routing.acceptConversation(deps, actor, frame.conversationId);
          follow(row.id, 0);
          return sendConversation(row.id);
        }
        case 'conversation.decline':
          return routing.declineOffer(deps, actor, frame.conversationId);
        case 'message.send': {
          const event = await staffChat.sendStaffMessage(deps, actor, frame);
          const ack = {
            type: 'ack',
            conversationId: frame.conversationId,
            clientId: frame.clientId,
            seq: event.seq,
          } as const;
          // The next event this tab gets for the chat rides on the ack, and the cursor moves past
          // it; after a gap it comes in order as an `event` frame instead.
          if (cursors.get(frame.conversationId) !== event.seq - 1) return send(ack);
          cursors.set(frame.conversationId, event.seq);
          return send({ ...ack, event: presentEvent(event) });
        }
        case 'typing':
          return staffChat.staffTyping(deps, actor, frame.conversationId, frame.isTyping);
        case 'seen':
          return staffChat.staffSeen(deps, actor, frame.conversationId, frame.seq);
        case 'conversation.transfer':
          return staffChat.transferConversation(deps, actor, frame);
        case 'conversation.end':
          return staffChat.endByStaff(deps, actor, frame.conversationId);
        case 'conversation.wrapup':
          return staffChat.wrapUp(deps, actor, frame.conversationId, frame.tags, frame.readScale);
        case 'patron.block':
          return staffChat.blockPatron(deps, actor, frame.conversationId, frame);
        case 'ping':
          // The bus is only a doorbell: whatever it failed to ring for comes now, from the database.
          for (const conversationId of cursors.keys()) void deliver(conversationId);
          return send({ type: 'pong' });
      }
    }

    async function subscribe(conversationId: string, after: number): Promise<void> {
      const row = await conversations.findConversationById(deps.db, conversationId);
      if (!row || !canOnConversation(actor, 'conversation.read', row)) {
        send({ type: 'error', code: 'not_found', message: 'That conversation does not exist.', conversationId });
        return;
      }
      // Following someone else's chat reads its transcript, as opening it in the inbox does:
      // audited once per connection. One's own chats are one's work, and are not.
      if (row.assignee_id !== actor.staffId && !viewed.has(row.id)) {
        viewed.add(row.id);
        await recordViewed(deps, actor, row);
      }
      follow(conversationId, Math.min(after, row.last_seq));
    }

    socket.on('close', () => {
      closed = true;
      clearInterval(recheck);
      queueRefresh.cancel();
      colleaguesRefresh.cancel();
      offStaff();
      offLibrary();
      for (const off of unsubscribe.values()) off();
      void routing
        .staffDisconnected(deps, actor)
        .catch((error: unknown) => request.log.warn({ err: error }, 'presence bookkeeping failed'));
    });
  };
}
