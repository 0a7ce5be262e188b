import {
  sql,
  type ExpressionOrFactory,
  type Insertable,
  type SelectQueryBuilder,
  type SqlBool,
  type Updateable,
  type UpdateObject,
} from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type {
  ConversationEventsTable,
  ConversationRow,
  ConversationsTable,
  Database,
  PatronsTable,
} from '../../platform/db/schema.ts';

/** Statuses of a conversation that is over: nothing more can be said in it. */
export const CLOSED_STATUSES = ['resolved', 'abandoned', 'missed'];

export function insertPatron(db: Db, row: Insertable<PatronsTable>) {
  return db.insertInto('patrons').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findPatronById(db: Db, id: string) {
  return db.selectFrom('patrons').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updatePatronRow(db: Db, id: string, changes: Updateable<PatronsTable>) {
  return db.updateTable('patrons').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function insertConversation(db: Db, row: Insertable<ConversationsTable>) {
  return db.insertInto('conversations').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findConversationById(db: Db, id: string) {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findConversationByTokenHash(db: Db, tokenHash: string) {
  return db.selectFrom('conversations').selectAll().where('patron_token_hash', '=', tokenHash).executeTakeFirst();
}

export function updateConversationRow(db: Db, id: string, changes: Updateable<ConversationsTable>) {
  return db.updateTable('conversations').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * Changes a conversation only if it is still in one of `from`: the compare-and-set that makes
 * "first to accept takes it" hold across connections and server instances.
 */
export function transitionConversation(
  db: Db,
  id: string,
  from: readonly string[],
  changes: UpdateObject<Database, 'conversations'>,
  onlyIf: { neverAccepted?: boolean } = {},
): Promise<ConversationRow | undefined> {
  let q = db.updateTable('conversations').set(changes).where('id', '=', id).where('status', 'in', from);
  if (onlyIf.neverAccepted) q = q.where('accepted_at', 'is', null);
  return q.returningAll().executeTakeFirst();
}

export type NewEvent = Omit<Insertable<ConversationEventsTable>, 'seq' | 'conversation_id'>;

/** Appends one event with the next sequence number. Call inside a transaction. */
export async function appendEventRow(db: Db, conversationId: string, event: NewEvent, now: string) {
  const [bumped] = await bumpSeq(db, { id: conversationId, now });
  if (!bumped) throw new Error(`No conversation ${conversationId}`);
  return insertEventRow(db, conversationId, bumped.last_seq, event);
}

/**
 * Takes the next sequence number of a conversation that is not in one of `closed` (the check
 * and the increment are one statement); undefined when it is missing or closed. Call inside a
 * transaction: the row stays locked until it ends, which keeps sequence numbers gapless.
 */
export async function takeSeqUnlessClosed(db: Db, conversationId: string, now: string): Promise<number | undefined> {
  const [bumped] = await bumpOpenSeq(db, { id: conversationId, now });
  return bumped?.last_seq;
}

export async function insertEventRow(db: Db, conversationId: string, seq: number, event: NewEvent) {
  const [row] = await insertEvent(db, {
    conversation_id: conversationId,
    seq,
    type: event.type,
    author_kind: event.author_kind,
    author_staff_id: event.author_staff_id ?? null,
    author_name: event.author_name ?? null,
    body: event.body,
    system_kind: event.system_kind ?? null,
    data_json: event.data_json ?? {},
    client_id: event.client_id ?? null,
    created_at: event.created_at,
  });
  if (!row) throw new Error('The event was not stored');
  return row;
}

export async function findEventByClientId(db: Db, conversationId: string, clientId: string) {
  const [row] = await eventByClientId(db, { conversationId, clientId });
  return row;
}

// The statements every chat message runs, compiled once.
const bumpSeq = prepared((db, a: { id: string; now: string }) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: a.now }))
    .where('id', '=', a.id)
    .returning('last_seq'),
);

const bumpOpenSeq = prepared((db, a: { id: string; now: string }) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: a.now }))
    .where('id', '=', a.id)
    .where('status', 'not in', CLOSED_STATUSES)
    .returning('last_seq'),
);

const insertEvent = prepared((db, a: Required<Insertable<ConversationEventsTable>>) =>
  db
    .insertInto('conversation_events')
    .values({
      conversation_id: a.conversation_id,
      seq: a.seq,
      type: a.type,
      author_kind: a.author_kind,
      author_staff_id: a.author_staff_id,
      author_name: a.author_name,
      body: a.body,
      system_kind: a.system_kind,
      data_json: a.data_json,
      client_id: a.client_id,
      created_at: a.created_at,
    })
    .returningAll(),
);

const eventByClientId = prepared((db, a: { conversationId: string; clientId: string }) =>
  db
    .selectFrom('conversation_events')
    .selectAll()
    .where('conversation_id', '=', a.conversationId)
    .where('client_id', '=', a.clientId),
);

/** How many events one read of a log brings; a client further behind gets them page after page. */
export const EVENTS_PAGE = 500;

export function listEventsAfter(
  db: Db,
  conversationId: string,
  after: number,
  options: { includeNotes: boolean; limit?: number },
) {
  let q = db
    .selectFrom('conversation_events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(options.limit ?? EVENTS_PAGE);
  if (!options.includeNotes) q = q.where('type', '!=', 'note');
  return q.execute();
}

export interface ConversationFilter {
  libraryId: string;
  status?: string;
  deskId?: string;
  /** A staff id, or null for unassigned. */
  assigneeId?: string | null;
  patronIds?: string[];
  /** Part of the patron's name or email address, any case. */
  patronText?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Conversations strictly older than this position (newest first: by start, then id). */
  before?: { at: string; id: string } | undefined;
  limit: number;
}

/** A LIKE pattern that finds `text` anywhere, its own %, _ and backslash taken literally (escaped with a backslash). */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function listConversationRows(db: Db, filter: ConversationFilter) {
  let q = db
    .selectFrom('conversations')
    .selectAll()
    .where('library_id', '=', filter.libraryId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.deskId !== undefined) q = q.where('desk_id', '=', filter.deskId);
  if (filter.assigneeId === null) q = q.where('assignee_id', 'is', null);
  else if (filter.assigneeId !== undefined) q = q.where('assignee_id', '=', filter.assigneeId);
  if (filter.patronIds !== undefined) q = q.where('patron_id', 'in', filter.patronIds.length ? filter.patronIds : ['']);
  if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
  const before = filter.before;
  if (before !== undefined)
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]),
    );
  if (filter.patronText !== undefined) {
    const pattern = containing(filter.patronText);
    q = q.where('patron_id', 'in', (eb) =>
      eb
        .selectFrom('patrons')
        .select('id')
        .where('library_id', '=', filter.libraryId)
        .where(sql<boolean>`(lower(name) like ${pattern} escape '\\' or lower(email) like ${pattern} escape '\\')`),
    );
  }
  return q.execute();
}

/**
 * A staff member's chats as their console lists them: those in progress, and those ended since
 * `endedSince` that they have not closed yet (wrap-up pending).
 */
export function listConsoleRows(db: Db, staffId: string, endedSince: string, limit: number) {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('assignee_id', '=', staffId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'active'),
        eb.and([eb('status', 'in', CLOSED_STATUSES), eb('closed_at', 'is', null), eb('resolved_at', '>=', endedSince)]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export function findPatronsByEmail(db: Db, libraryId: string, email: string) {
  return db.selectFrom('patrons').select('id').where('library_id', '=', libraryId).where('email', '=', email).execute();
}

export interface NewConversation {
  libraryId: string;
  deskId: string;
  patronId: string;
  channel: string;
  status: string;
  language: string;
  patronTokenHash: string | null;
  patronIpHash: string;
  patronBrowserHash?: string | null;
  /** Client id of the first message, when the patron's client sent one. */
  startClientId?: string | null;
  now: string;
}

/** A conversation row with every counter and timestamp at its starting value. */
export function newConversationRow(c: NewConversation): Insertable<ConversationsTable> {
  return {
    id: crypto.randomUUID(),
    library_id: c.libraryId,
    desk_id: c.deskId,
    channel: c.channel,
    status: c.status,
    assignee_id: null,
    patron_id: c.patronId,
    patron_token_hash: c.patronTokenHash,
    patron_ip_hash: c.patronIpHash,
    patron_browser_hash: c.patronBrowserHash ?? null,
    start_client_id: c.startClientId ?? null,
    language: c.language,
    tags_json: [],
    read_scale: null,
    rating_score: null,
    rating_comment: null,
    last_seq: 0,
    patron_seen_seq: 0,
    staff_seen_seq: 0,
    patron_left_at: c.status === 'queued' ? c.now : null,
    transcript_email: null,
    transcript_requested_at: null,
    is_over_threshold: false,
    created_at: c.now,
    queued_at: c.status === 'queued' ? c.now : null,
    accepted_at: null,
    first_response_at: null,
    resolved_at: null,
    updated_at: c.now,
  };
}

/** Chats waiting at a desk. */
export async function countQueuedAtDesk(db: Db, deskId: string): Promise<number> {
  const row = await db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('desk_id', '=', deskId)
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Routing's order within a desk's queue: chats staff handed back to the queue first (the
 * earliest handed back first: those patrons have waited once already), then first come, first
 * served.
 */
function inQueueOrder<O>(q: SelectQueryBuilder<Database, 'conversations', O>) {
  return q
    .orderBy(sql`requeued_at is null`)
    .orderBy('requeued_at')
    .orderBy('queued_at')
    .orderBy('created_at')
    .orderBy('id');
}

/**
 * Chats queued at the same desk ahead of `row`, in routing's order (`listQueuedChats`), so the
 * place a patron is told is the place routing gives them.
 */
export async function countQueuedAhead(db: Db, row: ConversationRow): Promise<number> {
  const queue = await db
    .selectFrom('conversations')
    .select('id')
    .where('desk_id', '=', row.desk_id)
    .where('status', '=', 'queued')
    .$call(inQueueOrder)
    .execute();
  const place = queue.findIndex((c) => c.id === row.id);
  return place === -1 ? queue.length : place;
}

/** Queued chats in routing's order (`inQueueOrder`), of one library or of all. */
export function listQueuedChats(db: Db, libraryId?: string): Promise<ConversationRow[]> {
  let q = db.selectFrom('conversations').selectAll().where('status', '=', 'queued').where('channel', '=', 'chat');
  if (libraryId !== undefined) q = q.where('library_id', '=', libraryId);
  return q.$call(inQueueOrder).execute();
}

/** The chats in progress of these people. */
export function listActiveChatsOf(db: Db, staffIds: string[]): Promise<ConversationRow[]> {
  if (staffIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('status', '=', 'active')
    .where('channel', '=', 'chat')
    .where('assignee_id', 'in', staffIds)
    .orderBy('created_at')
    .execute();
}

/** Ids of a library's conversations that no longer wait: a subquery for offers that should stop ringing. */
export function idsNoLongerQueued(db: Db, libraryId: string) {
  return db
    .selectFrom('conversations')
    .select('id')
    .where('library_id', '=', libraryId)
    .where('status', '!=', 'queued');
}

/** Active chats per assignee: what counts against each person's chat limit. */
export async function countActiveChatsByAssignee(db: Db, libraryId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('library_id', '=', libraryId)
    .where('status', '=', 'active')
    .where('channel', '=', 'chat')
    .where('assignee_id', 'is not', null)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id ?? '', Number(r.n)]));
}

/** The conversation a client id started on a desk since `since`: a retried start finds it. */
export function findRecentStart(db: Db, deskId: string, clientId: string, channel: string, since: string) {
  return db
    .selectFrom('conversations')
    .select(['id', 'status', 'patron_ip_hash', 'patron_browser_hash'])
    .where('desk_id', '=', deskId)
    .where('start_client_id', '=', clientId)
    .where('channel', '=', channel)
    .where('created_at', '>=', since)
    .executeTakeFirst();
}

/** The queue and answer times of a desk's most recently answered chats since `since`, newest first. */
export function listRecentAnswers(db: Db, deskId: string, since: string, limit: number) {
  return db
    .selectFrom('conversations')
    .select(['queued_at', 'accepted_at'])
    .where('desk_id', '=', deskId)
    .where('accepted_at', 'is not', null)
    .where('accepted_at', '>=', since)
    .orderBy('accepted_at', 'desc')
    .limit(limit)
    .execute();
}

/** A library's chats created since `since`: the day's numbers. */
export function listChatsCreatedSince(db: Db, libraryId: string, since: string) {
  return db
    .selectFrom('conversations')
    .select(['status', 'queued_at', 'accepted_at'])
    .where('library_id', '=', libraryId)
    .where('channel', '=', 'chat')
    .where('created_at', '>=', since)
    .execute();
}

/** A conversation of the patron: for naming the chat a block was made in. */
export function findConversationOfPatron(db: Db, patronId: string) {
  return db.selectFrom('conversations').select('id').where('patron_id', '=', patronId).executeTakeFirst();
}

/**
 * When the patron's last connection to the conversation went (null: connected now). `onlyIf`
 * narrows it: `stillPresent` changes only a patron not yet marked gone; `where` adds a condition
 * of the caller's (for example, that no live connection holds the chat).
 */
export async function setPatronLeftAt(
  db: Db,
  id: string,
  at: string | null,
  onlyIf: { stillPresent?: boolean; where?: ExpressionOrFactory<Database, 'conversations', SqlBool> } = {},
): Promise<void> {
  let q = db.updateTable('conversations').set({ patron_left_at: at }).where('id', '=', id);
  if (onlyIf.stillPresent) q = q.where('patron_left_at', 'is', null);
  if (onlyIf.where) q = q.where(onlyIf.where);
  await q.execute();
}

/** After a restart with no other instance: every patron of an open conversation counts as gone from `at`. */
export async function markOpenPatronsLeft(db: Db, at: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ patron_left_at: at })
    .where('patron_left_at', 'is', null)
    .where('status', 'not in', CLOSED_STATUSES)
    .execute();
}

/** Raises how far the patron or the staff has seen the log; false when it already stood there or beyond. */
export async function raiseSeenSeq(db: Db, id: string, by: 'patron' | 'staff', seq: number): Promise<boolean> {
  const column = by === 'patron' ? 'patron_seen_seq' : 'staff_seen_seq';
  const result = await db
    .updateTable('conversations')
    .set({ [column]: seq })
    .where('id', '=', id)
    .where(column, '<', seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
