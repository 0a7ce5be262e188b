import {
  cursorOf,
  parseCursor,
  type ConversationPage,
  type ConversationListQuery,
  type ConversationWithEvents,
  type Conversation,
  type SystemEventKind,
} from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import { topics, type BusMessage } from '../../platform/bus.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import { behindSavepoint } from '../../platform/db/savepoint.ts';
import type { ConversationEventRow, ConversationRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { authorizeConversationList, authorizeOnConversation } from './conversations.policy.ts';
import { presentConversation, presentEvent } from './conversations.presenter.ts';
import * as repo from './conversations.repo.ts';

/**
 * The conversation store as channels and routing use it: they read and change conversations
 * through these and the use cases below, never through the tables.
 */
export {
  CLOSED_STATUSES,
  EVENTS_PAGE,
  countActiveChatsByAssignee,
  countQueuedAhead,
  countQueuedAtDesk,
  findConversationById,
  findConversationByTokenHash,
  findConversationOfPatron,
  findEventByClientId,
  findRecentStart,
  idsNoLongerQueued,
  insertConversation,
  insertPatron,
  listActiveChatsOf,
  listChatsCreatedSince,
  listConsoleRows,
  listEventsAfter,
  listQueuedChats,
  listRecentAnswers,
  markOpenPatronsLeft,
  newConversationRow,
  raiseSeenSeq,
  setPatronLeftAt,
  transitionConversation,
  updateConversationRow,
  updatePatronRow,
} from './conversations.repo.ts';
export { waitingSince } from './conversations.presenter.ts';

export type Author = { kind: 'patron' } | { kind: 'staff'; staffId: string; displayName: string } | { kind: 'system' };

export interface AppendInput {
  type: 'message' | 'note' | 'system';
  author: Author;
  body: string;
  systemKind?: SystemEventKind;
  data?: Record<string, string | number | null>;
  clientId?: string;
}

/** Conversations whose changes must be announced once the transaction commits. */
export class Touched {
  /** Per conversation, the events appended, in order. */
  readonly events = new Map<string, ConversationEventRow[]>();
  readonly states = new Set<string>();
  readonly libraries = new Set<string>();
  event(conversationId: string, row: ConversationEventRow): void {
    const rows = this.events.get(conversationId);
    if (rows) rows.push(row);
    else this.events.set(conversationId, [row]);
  }
  state(conversationId: string): void {
    this.states.add(conversationId);
  }
  queue(libraryId: string): void {
    this.libraries.add(libraryId);
  }
}

/**
 * Runs `work` in one transaction and, only after it commits, rings the bus for what it touched:
 * the database is the truth, the bus only says "look again".
 */
export async function commit<T>(deps: Deps, work: (trx: Db, touched: Touched) => Promise<T>): Promise<T> {
  const touched = new Touched();
  const result = await deps.db.transaction().execute((trx) => work(trx, touched));
  await announce(deps, touched);
  return result;
}

export async function announce(deps: Deps, touched: Touched): Promise<void> {
  const rings: Promise<void>[] = [];
  for (const [id, rows] of touched.events) rings.push(deps.bus.publish(topics.conversation(id), eventsMessage(rows)));
  for (const id of touched.states)
    if (!touched.events.has(id)) rings.push(deps.bus.publish(topics.conversation(id), { kind: 'conversation' }));
  for (const id of touched.libraries) rings.push(deps.bus.publish(topics.library(id), { kind: 'queue' }));
  await Promise.all(rings.map((r) => r.catch((error: unknown) => deps.log.warn({ err: error }, 'bus publish failed'))));
}

/** Appends a system event (queued, accepted, transferred, ended…), worded neutrally for staff. */
export function appendSystemEvent(
  trx: Db,
  now: string,
  conversationId: string,
  event: { kind: SystemEventKind; body: string; data?: AppendInput['data'] },
  touched: Touched,
): Promise<{ event: ConversationEventRow; isDuplicate: boolean }> {
  return appendEvent(
    trx,
    now,
    conversationId,
    {
      type: 'system',
      author: { kind: 'system' },
      body: event.body,
      systemKind: event.kind,
      ...(event.data ? { data: event.data } : {}),
    },
    touched,
  );
}

/** Appends an event; with a clientId it is idempotent (the first event with that id is answered). */
export async function appendEvent(
  trx: Db,
  now: string,
  conversationId: string,
  input: AppendInput,
  touched: Touched,
): Promise<{ event: ConversationEventRow; isDuplicate: boolean }> {
  if (input.clientId === undefined) {
    const event = await repo.appendEventRow(trx, conversationId, eventFields(input, now), now);
    touched.event(conversationId, event);
    return { event, isDuplicate: false };
  }
  const existing = await repo.findEventByClientId(trx, conversationId, input.clientId);
  if (existing) return { event: existing, isDuplicate: true };
  // A concurrent send of the same client id may commit first and win the unique index. Behind a
  // savepoint, losing that race undoes only this append (its sequence number included), and
  // PostgreSQL keeps the transaction usable to read the winner.
  try {
    const event = await behindSavepoint(trx, 'append_event', () =>
      repo.appendEventRow(trx, conversationId, eventFields(input, now), now),
    );
    touched.event(conversationId, event);
    return { event, isDuplicate: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await repo.findEventByClientId(trx, conversationId, input.clientId);
    if (!winner) throw error;
    return { event: winner, isDuplicate: true };
  }
}

/** Largest copy of new events a bus message carries; past it, subscribers read the log. */
const CARRIED_CHARS = 32 * 1024;

/**
 * "Conversation X has events up to N", with a copy of the new events when they are few: a
 * subscriber whose cursor is just before them delivers from the copy instead of reading the
 * log again. Committed events never change, so the copy is as good as the row.
 */
function eventsMessage(rows: ConversationEventRow[]): BusMessage {
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  const lastSeq = sorted.at(-1)?.seq ?? 0;
  const contiguous = sorted.every((row, i) => i === 0 || row.seq === (sorted[i - 1]?.seq ?? 0) + 1);
  const size = sorted.reduce((n, row) => n + row.body.length, 0);
  return contiguous && size <= CARRIED_CHARS
    ? { kind: 'events', lastSeq, events: sorted }
    : { kind: 'events', lastSeq };
}

/**
 * The events after `after`: the bus's copy (`carried`) when it starts right after them, so no
 * read is needed, otherwise the log. Events already sent may be among them; callers skip those.
 */
export function eventsSince(
  db: Db,
  conversationId: string,
  after: number,
  options: { includeNotes: boolean; carried?: ConversationEventRow[] | undefined },
): Promise<ConversationEventRow[]> {
  const first = options.carried?.[0];
  if (options.carried && first && first.seq <= after + 1) return Promise.resolve(options.carried);
  return repo.listEventsAfter(db, conversationId, after, { includeNotes: options.includeNotes });
}

export type AppendOutcome = { event: ConversationEventRow; isDuplicate: boolean } | { refused: 'not_found' | 'closed' };

/**
 * Appends an event to a conversation that is still open, sharing a transaction with the other
 * appends arriving at the same moment (group commit). Idempotent by client id. Answers once the
 * event is committed; a missing or closed conversation is an answer too, not an error.
 */
export async function appendToOpenConversation(
  deps: Deps,
  conversationId: string,
  input: AppendInput,
): Promise<AppendOutcome> {
  const now = deps.clock.now().toISOString();
  const outcome = await deps.groupCommit
    .run(async (trx): Promise<AppendOutcome & { touched?: Touched }> => {
      if (input.clientId !== undefined) {
        const existing = await repo.findEventByClientId(trx, conversationId, input.clientId);
        if (existing) return { event: existing, isDuplicate: true };
      }
      const seq = await repo.takeSeqUnlessClosed(trx, conversationId, now);
      if (seq === undefined)
        return { refused: (await repo.findConversationById(trx, conversationId)) ? 'closed' : 'not_found' };
      const event = await repo.insertEventRow(trx, conversationId, seq, eventFields(input, now));
      const touched = new Touched();
      touched.event(conversationId, event);
      return { event, isDuplicate: false, touched };
    }, conversationId)
    .catch(async (error: unknown): Promise<AppendOutcome & { touched?: Touched }> => {
      // The same send, committed side by side in another group, won the unique index: answer it.
      if (input.clientId === undefined || !isUniqueViolation(error)) throw error;
      const winner = await repo.findEventByClientId(deps.db, conversationId, input.clientId);
      if (!winner) throw error;
      return { event: winner, isDuplicate: true };
    });
  const { touched, ...answer } = outcome;
  if (touched) {
    await announce(deps, touched);
    if (input.type === 'message') deps.metrics.chatMessages.inc({ author: input.author.kind });
  }
  return answer;
}

function eventFields(input: AppendInput, now: string): repo.NewEvent {
  return {
    type: input.type,
    author_kind: input.author.kind,
    author_staff_id: input.author.kind === 'staff' ? input.author.staffId : null,
    author_name: input.author.kind === 'staff' ? input.author.displayName : null,
    body: input.body,
    system_kind: input.systemKind ?? null,
    data_json: input.data ?? {},
    client_id: input.clientId ?? null,
    created_at: now,
  };
}

export async function loadConversation(db: Db, id: string): Promise<Conversation | undefined> {
  const row = await repo.findConversationById(db, id);
  if (!row) return undefined;
  return presentConversation(row, await repo.findPatronById(db, row.patron_id));
}

export async function presentRow(db: Db, row: ConversationRow): Promise<Conversation> {
  return presentConversation(row, await repo.findPatronById(db, row.patron_id));
}

export async function listConversations(
  deps: Deps,
  actor: Actor,
  query: ConversationListQuery,
): Promise<ConversationPage> {
  authorizeConversationList(actor);
  const rows = await repo.listConversationRows(deps.db, {
    libraryId: actor.libraryId,
    status: query.status,
    deskId: query.deskId,
    assigneeId: query.assignee === 'me' ? actor.staffId : query.assignee === 'none' ? null : query.assignee,
    patronText: query.patron,
    since: query.since,
    until: query.until,
    before: query.before === undefined ? undefined : parseCursor(query.before),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: await Promise.all(page.map((row) => presentRow(deps.db, row))),
    nextBefore: rows.length > query.limit && last ? cursorOf(last.created_at, last.id) : null,
  };
}

/** A whole conversation with its log, internal notes included. Staff reads of transcripts are audited. */
export async function getConversation(deps: Deps, actor: Actor, id: string): Promise<ConversationWithEvents> {
  const row = await repo.findConversationById(deps.db, id);
  if (!row) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.read', row);
  const events = await repo.listEventsAfter(deps.db, id, 0, { includeNotes: true, limit: 5000 });
  await recordViewed(deps, actor, row);
  return { ...(await presentRow(deps.db, row)), events: events.map(presentEvent) };
}

/**
 * Records in the audit log that staff opened a conversation's transcript: read whole, or
 * followed live when it is not theirs. The caller has authorized the read.
 */
export function recordViewed(deps: Deps, actor: Actor, row: ConversationRow): Promise<void> {
  return recordAudit(deps.db, actor, deps.clock.now().toISOString(), {
    action: 'conversation.viewed',
    subjectType: 'conversation',
    subjectId: row.id,
    libraryId: row.library_id,
  });
}

/** Earlier conversations of the same patron, when the patron chose to identify with an email. */
export async function patronHistory(deps: Deps, actor: Actor, id: string): Promise<Conversation[]> {
  const row = await repo.findConversationById(deps.db, id);
  if (!row) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.read', row);
  const patron = await repo.findPatronById(deps.db, row.patron_id);
  if (!patron?.email) return [];
  const patronIds = (await repo.findPatronsByEmail(deps.db, row.library_id, patron.email)).map((p) => p.id);
  const rows = await repo.listConversationRows(deps.db, { libraryId: row.library_id, patronIds, limit: 50 });
  return Promise.all(rows.filter((r) => r.id !== id).map((r) => presentRow(deps.db, r)));
}
