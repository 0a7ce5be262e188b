import { PatronClientFrame, type PatronServerFrame } from '@branchline/protocol';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { topics, type BusMessage } from '../../platform/bus.ts';
import type { ConversationEventRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { isAppError } from '../../platform/errors.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { eventsSince } from '../conversations/conversations.service.ts';
import { conversationForToken, patronConnected, patronDisconnected } from './chat.service.ts';
import { handlePatronFrame, withoutOwnEvent } from './patron-frames.ts';
import type { FloodGuard } from './flood-guard.ts';
import { acceptFrame, sendFrame, SerialQueue, throttled } from './frames.ts';
import { isVisibleToPatron, presentPatronConversation, presentPatronEvent } from './patron-view.ts';
import type { OriginCheck } from './origins.ts';

const QUEUE_REFRESH_MS = 2000;

/**
 * One patron's live connection. The first frame is `hello {token, after}`; the socket then
 * receives exactly the events after `after`, in order, and every later one as it is committed.
 */
export function patronSocket(deps: Deps, flood: FloodGuard, origins: OriginCheck) {
  return (socket: WebSocket, request: FastifyRequest): void => {
    const origin = request.headers.origin;
    let conversationId: string | undefined;
    let cursor = 0;
    let lastStatus = '';
    const unsubscribe: Array<() => void> = [];
    const serial = new SerialQueue((error) => request.log.warn({ err: error }, 'patron delivery failed'));
    const send = (frame: PatronServerFrame) => sendFrame(socket, frame);

    /** Sends what is new; a system event (accepted, transferred, ended…) also refreshes the state. */
    const deliver = (carried?: ConversationEventRow[]) =>
      serial.push(async () => {
        if (!conversationId) return;
        let changedState = false;
        // Page after page: a client far behind (a long chat, a tab asleep for hours) gets it all.
        for (let page = carried; ; page = undefined) {
          const rows = await eventsSince(deps.db, conversationId, cursor, { includeNotes: false, carried: page });
          for (const row of rows) {
            if (row.seq <= cursor) continue;
            cursor = row.seq;
            if (!isVisibleToPatron(row)) continue;
            send({ type: 'event', event: presentPatronEvent(row) });
            changedState ||= row.type === 'system';
          }
          if (rows === page || rows.length < conversations.EVENTS_PAGE) break;
        }
        if (changedState) void refreshState();
      });
    const refreshState = () =>
      serial.push(async () => {
        if (!conversationId) return;
        const row = await conversations.findConversationById(deps.db, conversationId);
        if (!row) return;
        lastStatus = row.status;
        send({ type: 'state', conversation: await presentPatronConversation(deps, row) });
      });

    /**
     * An ack carries its message's event when that event is the next this socket delivers: the
     * cursor moves past it and no `event` frame repeats it. After a gap (an event not yet sent,
     * or a note the patron never sees) the event comes in order as an `event` frame instead.
     */
    const ownEventOnce = (frame: PatronServerFrame): PatronServerFrame => {
      if (frame.type !== 'ack' || frame.event === undefined) return frame;
      if (frame.event.seq !== cursor + 1) return withoutOwnEvent(frame);
      cursor = frame.event.seq;
      return frame;
    };

    const onConversation = (message: BusMessage) => {
      if (message.kind === 'events') {
        if (message.lastSeq > cursor) void deliver(message.events);
      } else if (message.kind === 'conversation') void refreshState();
      else if (message.kind === 'typing' && message.from === 'staff')
        send({ type: 'typing', displayName: message.displayName, isTyping: message.isTyping });
      else if (message.kind === 'seen' && message.by === 'staff') send({ type: 'seen', seq: message.seq });
    };
    const queueRefresh = throttled(QUEUE_REFRESH_MS, () => void refreshState());
    const onLibrary = (message: BusMessage) => {
      if (message.kind === 'queue' && lastStatus === 'queued') queueRefresh.call();
    };

    socket.on('message', (raw, isBinary) => {
      const read = acceptFrame(raw, isBinary, PatronClientFrame, serial);
      if ('error' in read) return send(read.error);
      const frame = read.frame;
      void serial.push(async () => {
        try {
          if (frame.type === 'hello') {
            if (conversationId)
              return send({ type: 'error', code: 'conflict', message: 'Already connected to a chat.' });
            const row = await conversationForToken(deps, frame.token);
            if (!(await origins.isAllowed(row.library_id, origin))) {
              send({ type: 'error', code: 'forbidden', message: 'This site may not embed the chat.' });
              return socket.close(4403, 'origin not allowed');
            }
            conversationId = row.id;
            cursor = Math.min(frame.after, row.last_seq);
            lastStatus = row.status;
            await patronConnected(deps, row.id);
            unsubscribe.push(deps.bus.subscribe(topics.conversation(row.id), onConversation));
            unsubscribe.push(deps.bus.subscribe(topics.library(row.library_id), onLibrary));
            send({ type: 'welcome', conversation: await presentPatronConversation(deps, row) });
            void deliver();
            return;
          }
          if (!conversationId)
            return send({ type: 'error', code: 'unauthenticated', message: 'Say hello with your chat token first.' });
          // The bus is only a doorbell: one that never rang (a lost message, a Redis hiccup) is
          // made up for at the client's next ping, every 25 s, from the database.
          if (frame.type === 'ping') void deliver();
          for (const reply of await handlePatronFrame(deps, flood, conversationId, frame)) send(ownEventOnce(reply));
        } catch (error) {
          if (isAppError(error))
            return send({
              type: 'error',
              code: error.code,
              message: error.message,
              ...('clientId' in frame ? { clientId: frame.clientId } : {}),
            });
          request.log.error({ err: error }, 'patron frame failed');
          send({ type: 'error', code: 'internal', message: 'Something went wrong on our side. Please try again.' });
        }
      });
    });

    socket.on('close', () => {
      queueRefresh.cancel();
      for (const off of unsubscribe) off();
      const id = conversationId;
      conversationId = undefined;
      if (id)
        void patronDisconnected(deps, id).catch((error: unknown) =>
          request.log.warn({ err: error }, 'patron disconnect bookkeeping failed'),
        );
    });
  };
}
