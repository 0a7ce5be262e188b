import type { DeskAvailability, LeaveQuestionBody, StartChatBody, StartChatResponse } from '@branchline/protocol';
import { topics } from '../../platform/bus.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import type { ConversationRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { hashToken, hmac, newId, newToken } from '../../platform/tokens.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { appendEvent, commit, type Touched, appendSystemEvent } from '../conversations/conversations.service.ts';
import { isOpenAt } from '../libraries/opening-hours.ts';
import { findPublicDesk, type PublicLibraryHint } from '../libraries/libraries.service.ts';
import { announceWorkload, rebalance, unansweredOutcome, withdrawOffers } from '../routing/routing.service.ts';
import { hasNoLiveConnection } from '../routing/live-connections.ts';
import { staffedCount } from '../routing/staffing.ts';
import { estimateWait, patronEventsAfter, presentPatronConversation } from './patron-view.ts';

export interface PatronClient {
  ip: string;
  /** The Origin of the page the patron is on, which tells the library when the body does not. */
  origin?: string | undefined;
  /** The host name the request came to: a library's own tells which library it is. */
  host?: string | undefined;
}

/** Patron addresses are kept only as keyed hashes, for blocking abuse. */
export function ipHash(deps: Deps, ip: string): string {
  return hmac(deps.secret, `ip:${ip}`);
}

/** What a block can match a patron by: their address and, when the widget sent one, their browser's key. */
interface PatronMarks {
  ipHash: string;
  browserHash: string | null;
}

function patronMarks(deps: Deps, client: PatronClient, browserKey: string | undefined): PatronMarks {
  return {
    ipHash: ipHash(deps, client.ip),
    browserHash: browserKey === undefined ? null : hmac(deps.secret, `browser:${browserKey}`),
  };
}

export const ENDED = conversations.CLOSED_STATUSES;
const WAIT_TO_SUGGEST_QUESTION_SECONDS = 15 * 60;

export async function deskAvailability(
  deps: Deps,
  slug: string,
  hint: PublicLibraryHint = {},
): Promise<DeskAvailability> {
  const found = await findPublicDesk(deps, slug, hint);
  if (!found) throw errors.notFound('desk');
  const { desk, library } = found;
  const isOpen = isOpenAt(desk.hours, deps.clock.now(), library.timeZone);
  const staffed = await staffedCount(deps, library.id, desk.id);
  const waiting = await conversations.countQueuedAtDesk(deps.db, desk.id);
  const estimate = await estimateWait(deps, library.id, desk.id, waiting + 1);
  return {
    slug: desk.slug,
    name: desk.name,
    libraryName: library.name,
    isOpen,
    isStaffed: staffed > 0,
    waiting,
    estimatedWaitSeconds: estimate,
    suggestLeavingQuestion: !isOpen || staffed === 0 || (estimate ?? 0) > WAIT_TO_SUGGEST_QUESTION_SECONDS,
  };
}

/** A block covers its browser, or everyone at its address when its scope is the network. */
async function assertNotBlocked(deps: Deps, libraryId: string, marks: PatronMarks): Promise<void> {
  const block = await deps.db
    .selectFrom('patron_blocks')
    .select('until')
    .where('library_id', '=', libraryId)
    .where('until', '>', deps.clock.now().toISOString())
    .where((eb) =>
      eb.or([
        eb.and([eb('scope', '=', 'network'), eb('ip_hash', '=', marks.ipHash)]),
        ...(marks.browserHash === null ? [] : [eb('browser_hash', '=', marks.browserHash)]),
      ]),
    )
    .executeTakeFirst();
  if (block) throw errors.forbidden('This chat is not available right now. You can call or email the library.');
}

/** The first message starts the chat: no form first. The answer carries the resumable token. */
export async function startChat(deps: Deps, body: StartChatBody, client: PatronClient): Promise<StartChatResponse> {
  const found = await findPublicDesk(deps, body.desk, {
    library: body.library,
    origin: client.origin,
    host: client.host,
  });
  if (!found) throw errors.notFound('desk');
  const marks = patronMarks(deps, client, body.browser);
  await assertNotBlocked(deps, found.library.id, marks);
  const token = newToken();
  const retried = await resumeRetriedStart(deps, body, found.desk.id, token, marks);
  if (retried) return retried;
  const now = deps.clock.now().toISOString();
  const row = await commit(deps, (trx, touched) =>
    openConversation(trx, touched, {
      libraryId: found.library.id,
      deskId: found.desk.id,
      name: body.name ?? null,
      email: body.email ?? null,
      channel: 'chat',
      status: 'queued',
      language: body.language,
      patronTokenHash: hashToken(token),
      marks,
      message: body.message,
      clientId: body.clientId,
      system: { kind: 'queued', body: `Waiting for ${found.desk.name}` },
      now,
    }),
  ).catch(async (error: unknown) => {
    // The same start, sent twice at once, opened its chat first: answer with that one.
    if (!isUniqueViolation(error)) throw error;
    const first = await resumeRetriedStart(deps, body, found.desk.id, token, marks);
    if (first) return first;
    throw errors.conflict('A chat was just started with this client id from another browser. Start again.');
  });
  if (!row) throw new Error('conversation vanished after insert');
  if ('token' in row) return row;
  deps.metrics.chatMessages.inc({ author: 'patron' });
  await rebalance(deps, row.library_id);
  const fresh = (await conversations.findConversationById(deps.db, row.id)) ?? row;
  return {
    token,
    conversation: await presentPatronConversation(deps, fresh),
    events: await patronEventsAfter(deps.db, fresh.id, 0),
  };
}

const RETRY_WINDOW_MS = 60 * 60_000;

/**
 * A start whose answer was lost is sent again with the same client id: answer with the chat it
 * already opened (and a fresh token, since only the old token's hash is kept), not a second chat.
 * Only to the browser that started it (its key, else its address): anyone else who learnt the
 * client id starts a chat of their own instead of taking this one over.
 */
async function resumeRetriedStart(
  deps: Deps,
  body: StartChatBody,
  deskId: string,
  token: string,
  marks: PatronMarks,
): Promise<StartChatResponse | undefined> {
  const first = await recentStart(deps, deskId, body.clientId, 'chat');
  if (!first || ENDED.includes(first.status)) return undefined;
  const sameBrowser =
    first.patron_browser_hash !== null && marks.browserHash !== null
      ? first.patron_browser_hash === marks.browserHash
      : first.patron_ip_hash === marks.ipHash;
  if (!sameBrowser) return undefined;
  const row = await conversations.updateConversationRow(deps.db, first.id, { patron_token_hash: hashToken(token) });
  return {
    token,
    conversation: await presentPatronConversation(deps, row),
    events: await patronEventsAfter(deps.db, row.id, 0),
  };
}

/** The conversation a client id started on a desk within the last hour: a retried request finds it. */
function recentStart(deps: Deps, deskId: string, clientId: string, channel: 'chat' | 'webform') {
  const since = new Date(deps.clock.now().getTime() - RETRY_WINDOW_MS).toISOString();
  return conversations.findRecentStart(deps.db, deskId, clientId, channel, since);
}

/**
 * Outside hours or on a long wait: the question is kept and answered by email later. Sent again
 * with the same client id (its answer was lost), it is answered with the question already kept.
 */
export async function leaveQuestion(
  deps: Deps,
  body: LeaveQuestionBody,
  client: PatronClient,
): Promise<{ id: string }> {
  const found = await findPublicDesk(deps, body.desk, {
    library: body.library,
    origin: client.origin,
    host: client.host,
  });
  if (!found) throw errors.notFound('desk');
  const marks = patronMarks(deps, client, body.browser);
  await assertNotBlocked(deps, found.library.id, marks);
  const kept = await recentStart(deps, found.desk.id, body.clientId, 'webform');
  if (kept) return { id: kept.id };
  const now = deps.clock.now().toISOString();
  const row = await commit(deps, (trx, touched) =>
    openConversation(trx, touched, {
      libraryId: found.library.id,
      deskId: found.desk.id,
      name: body.name ?? null,
      email: body.email,
      channel: 'webform',
      status: 'pending',
      language: body.language,
      patronTokenHash: null,
      marks,
      message: body.message,
      clientId: body.clientId,
      system: { kind: 'left_question', body: 'Question left for an answer by email' },
      now,
    }),
  ).catch(async (error: unknown) => {
    // The same question, sent twice at once, was kept first: answer with it.
    if (!isUniqueViolation(error)) throw error;
    const first = await recentStart(deps, found.desk.id, body.clientId, 'webform');
    if (!first) throw error;
    return first;
  });
  if (!row) throw new Error('conversation vanished after insert');
  return { id: row.id };
}

interface NewPatronConversation {
  libraryId: string;
  deskId: string;
  name: string | null;
  email: string | null;
  channel: 'chat' | 'webform';
  status: 'queued' | 'pending';
  language: string;
  patronTokenHash: string | null;
  marks: PatronMarks;
  message: string;
  clientId: string;
  system: { kind: 'queued' | 'left_question'; body: string };
  now: string;
}

/** A patron, their conversation, its first message and the system event saying where it waits. */
async function openConversation(
  trx: Db,
  touched: Touched,
  c: NewPatronConversation,
): Promise<ConversationRow | undefined> {
  const patron = await conversations.insertPatron(trx, {
    id: newId(),
    library_id: c.libraryId,
    name: c.name,
    email: c.email,
    created_at: c.now,
    updated_at: c.now,
  });
  const conversation = await conversations.insertConversation(
    trx,
    conversations.newConversationRow({
      libraryId: c.libraryId,
      deskId: c.deskId,
      patronId: patron.id,
      channel: c.channel,
      status: c.status,
      language: c.language,
      patronTokenHash: c.patronTokenHash,
      patronIpHash: c.marks.ipHash,
      patronBrowserHash: c.marks.browserHash,
      startClientId: c.clientId,
      now: c.now,
    }),
  );
  const patronAuthor = { kind: 'patron' as const };
  await appendEvent(
    trx,
    c.now,
    conversation.id,
    { type: 'message', author: patronAuthor, body: c.message, clientId: c.clientId },
    touched,
  );
  await appendSystemEvent(trx, c.now, conversation.id, { kind: c.system.kind, body: c.system.body }, touched);
  touched.queue(c.libraryId);
  return conversations.findConversationById(trx, conversation.id);
}

/** The conversation a patron token opens, or a clear refusal. */
export async function conversationForToken(deps: Deps, token: string | undefined): Promise<ConversationRow> {
  if (!token || token.length < 20 || token.length > 100) {
    throw new AppError('unauthenticated', 'This chat could not be found. Start a new one.');
  }
  const row = await conversations.findConversationByTokenHash(deps.db, hashToken(token));
  if (!row) throw new AppError('unauthenticated', 'This chat could not be found. Start a new one.');
  return row;
}

export async function patronConnected(deps: Deps, conversationId: string): Promise<void> {
  await deps.connections.opened('patron', conversationId);
  await conversations.setPatronLeftAt(deps.db, conversationId, null);
}

/** The patron's last connection closing starts the grace for reconnecting (see routing's sweep). */
export async function patronDisconnected(deps: Deps, conversationId: string): Promise<void> {
  if (await deps.connections.closed('patron', conversationId)) return;
  await conversations.setPatronLeftAt(deps.db, conversationId, deps.clock.now().toISOString());
}

/** A long-polling patron is alive until shortly after the poll would have ended. */
export async function patronPolled(deps: Deps, conversationId: string, waitSeconds: number): Promise<void> {
  const until = new Date(deps.clock.now().getTime() + waitSeconds * 1000).toISOString();
  await conversations.setPatronLeftAt(deps.db, conversationId, until, {
    where: hasNoLiveConnection('patron', 'conversations.id'),
  });
}

/**
 * Ends a chat: abandoned if nobody ever took it, resolved once someone did (also when it was
 * since transferred back to a queue). Decided by the row as it is when it ends, not as `row`
 * was read: an accept may land in between.
 */
export async function endConversation(
  deps: Deps,
  row: ConversationRow,
  by: 'patron' | { staffName: string },
): Promise<void> {
  const now = deps.clock.now().toISOString();
  let endedBy: string | null = null;
  const withdrawn = await commit(deps, async (trx, touched) => {
    const closing = { resolved_at: now, updated_at: now };
    // A patron ending a chat that rang unanswered counts it missed, as leaving the page does.
    const unanswered = by === 'patron' ? await unansweredOutcome(trx, row.id) : 'abandoned';
    const ended =
      (await conversations.transitionConversation(
        trx,
        row.id,
        ['queued'],
        { ...closing, status: unanswered },
        { neverAccepted: true },
      )) ??
      (await conversations.transitionConversation(trx, row.id, ['queued', 'active', 'pending'], {
        ...closing,
        status: 'resolved',
      }));
    if (!ended) return [];
    endedBy = ended.assignee_id;
    await appendSystemEvent(
      trx,
      now,
      row.id,
      {
        kind: ended.status === 'missed' || ended.status === 'abandoned' ? ended.status : 'ended',
        body:
          ended.status === 'missed'
            ? 'The patron ended the chat before anyone answered'
            : by === 'patron'
              ? 'The patron ended the chat'
              : `${by.staffName} ended the chat`,
        data: { by: by === 'patron' ? 'patron' : 'staff' },
      },
      touched,
    );
    touched.queue(row.library_id);
    return withdrawOffers(trx, row.id);
  });
  for (const offer of withdrawn) {
    await deps.bus.publish(topics.staff(offer.staff_id), {
      kind: 'offer.withdrawn',
      conversationId: row.id,
      reason: 'abandoned',
      takenBy: null,
    });
  }
  await announceWorkload(deps, [row.assignee_id, endedBy]);
  await rebalance(deps, row.library_id);
}
