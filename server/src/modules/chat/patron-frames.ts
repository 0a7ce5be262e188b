import type { PatronClientFrame, PatronServerFrame } from '@branchline/protocol';
import { topics } from '../../platform/bus.ts';
import type { ConversationRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors, type AppError } from '../../platform/errors.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { appendToOpenConversation, commit, appendSystemEvent } from '../conversations/conversations.service.ts';
import { ENDED, endConversation } from './chat.service.ts';
import type { FloodGuard } from './flood-guard.ts';
import { presentPatronConversation, presentPatronEvent } from './patron-view.ts';

/** Handles one frame from a patron (socket or HTTP fallback); answers the frames to send back. */
export async function handlePatronFrame(
  deps: Deps,
  flood: FloodGuard,
  conversationId: string,
  frame: Exclude<PatronClientFrame, { type: 'hello' }>,
): Promise<PatronServerFrame[]> {
  if (frame.type === 'ping') return [{ type: 'pong' }];
  if (frame.type === 'message.send') return sendMessage(deps, flood, conversationId, frame);
  const row = await conversations.findConversationById(deps.db, conversationId);
  if (!row) throw errors.notFound('conversation');
  // Past the library's retention nothing about the patron is kept: a page left open since then
  // stores nothing more (a later purge run passes over rows already purged).
  if (row.purged_at !== null)
    return frame.type === 'typing' || frame.type === 'seen'
      ? []
      : [errorFrame('conflict', 'This chat has ended and its transcript was deleted. Start a new chat to ask again.')];
  const now = deps.clock.now().toISOString();
  const ended = ENDED.includes(row.status);
  switch (frame.type) {
    case 'typing': {
      if (!ended)
        await deps.bus.publish(topics.conversation(conversationId), {
          kind: 'typing',
          from: 'patron',
          displayName: '',
          isTyping: frame.isTyping,
        });
      return [];
    }
    case 'seen': {
      const seq = Math.min(frame.seq, row.last_seq);
      if (seq > row.patron_seen_seq && (await conversations.raiseSeenSeq(deps.db, conversationId, 'patron', seq)))
        await deps.bus.publish(topics.conversation(conversationId), { kind: 'seen', by: 'patron', seq });
      return [];
    }
    case 'identify': {
      if (frame.name === undefined && frame.email === undefined)
        throw errors.validation('Give a name, an email address or both.', [
          { path: 'name', message: 'Give a name, an email address or both' },
        ]);
      await commit(deps, async (trx, touched) => {
        await conversations.updatePatronRow(trx, row.patron_id, {
          ...(frame.name === undefined ? {} : { name: frame.name }),
          ...(frame.email === undefined ? {} : { email: frame.email }),
          updated_at: now,
        });
        await appendSystemEvent(
          trx,
          now,
          conversationId,
          { kind: 'identified', body: 'The patron added contact details' },
          touched,
        );
      });
      return [];
    }
    case 'transcript.request': {
      // Kept for the email channel, which sends it once the chat has ended.
      await commit(deps, async (trx, touched) => {
        await conversations.updateConversationRow(trx, conversationId, {
          transcript_email: frame.email,
          transcript_requested_at: now,
          updated_at: now,
        });
        touched.state(conversationId);
      });
      return [await stateFrame(deps, row)];
    }
    case 'rating.submit': {
      if (!ended) return [errorFrame('conflict', 'You can rate the chat once it has ended.')];
      await commit(deps, async (trx, touched) => {
        await conversations.updateConversationRow(trx, conversationId, {
          rating_score: frame.score,
          rating_comment: frame.comment,
          updated_at: now,
        });
        await appendSystemEvent(
          trx,
          now,
          conversationId,
          { kind: 'rated', body: `Rated ${frame.score} of 5`, data: { score: frame.score } },
          touched,
        );
      });
      return [await stateFrame(deps, row)];
    }
    case 'end': {
      if (ended) return [];
      await endConversation(deps, row, 'patron');
      return [];
    }
  }
}

/** A patron's message: the commonest frame, so it takes one shared transaction and no extra reads. */
async function sendMessage(
  deps: Deps,
  flood: FloodGuard,
  conversationId: string,
  frame: Extract<PatronClientFrame, { type: 'message.send' }>,
): Promise<PatronServerFrame[]> {
  if (!flood.allow(conversationId, Date.now())) {
    // A resend of a stored message (its ack was lost) is answered even at the limit.
    const stored = await conversations.findEventByClientId(deps.db, conversationId, frame.clientId);
    if (stored) return [{ type: 'ack', clientId: frame.clientId, seq: stored.seq }];
    return [
      errorFrame('rate_limited', "You're sending messages very fast. Wait a moment and try again.", frame.clientId),
    ];
  }
  const outcome = await appendToOpenConversation(deps, conversationId, {
    type: 'message',
    author: { kind: 'patron' },
    body: frame.body,
    clientId: frame.clientId,
  });
  if ('refused' in outcome) {
    if (outcome.refused === 'not_found') throw errors.notFound('conversation');
    return [errorFrame('conflict', 'This chat has ended. Start a new chat to ask something else.', frame.clientId)];
  }
  if (outcome.isDuplicate) flood.forgive(conversationId);
  const ack = { type: 'ack', clientId: frame.clientId, seq: outcome.event.seq } as const;
  return [outcome.isDuplicate ? ack : { ...ack, event: presentPatronEvent(outcome.event) }];
}

/** The conversation as the patron sees it now, read again after a change (or as it was, if gone). */
async function stateFrame(deps: Deps, before: ConversationRow): Promise<PatronServerFrame> {
  const row = (await conversations.findConversationById(deps.db, before.id)) ?? before;
  return { type: 'state', conversation: await presentPatronConversation(deps, row) };
}

/** An ack as the HTTP fallback sends it: without the event, which the next poll brings in order. */
export function withoutOwnEvent(frame: PatronServerFrame): PatronServerFrame {
  if (frame.type !== 'ack' || frame.event === undefined) return frame;
  return { type: 'ack', clientId: frame.clientId, seq: frame.seq };
}

export function errorFrame(code: AppError['code'], message: string, clientId?: string): PatronServerFrame {
  return { type: 'error', code, message, ...(clientId === undefined ? {} : { clientId }) };
}
