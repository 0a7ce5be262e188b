import { sql, type Insertable, type Updateable, type UpdateObject } from 'kysely';
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
    .limit(options.limit ?? 500);
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
