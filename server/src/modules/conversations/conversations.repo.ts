import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type {
  ConversationEventsTable,
  ConversationRow,
  ConversationsTable,
  PatronsTable,
} from '../../platform/db/schema.ts';

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
  changes: Updateable<ConversationsTable>,
): Promise<ConversationRow | undefined> {
  return db
    .updateTable('conversations')
    .set(changes)
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

export type NewEvent = Omit<Insertable<ConversationEventsTable>, 'seq' | 'conversation_id'>;

/** Appends one event with the next sequence number. Call inside a transaction. */
export async function appendEventRow(db: Db, conversationId: string, event: NewEvent, now: string) {
  const { last_seq: seq } = await db
    .updateTable('conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: now }))
    .where('id', '=', conversationId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return db
    .insertInto('conversation_events')
    .values({ ...event, conversation_id: conversationId, seq })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findEventByClientId(db: Db, conversationId: string, clientId: string) {
  return db
    .selectFrom('conversation_events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

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
  limit: number;
}

export function listConversationRows(db: Db, filter: ConversationFilter) {
  let q = db
    .selectFrom('conversations')
    .selectAll()
    .where('library_id', '=', filter.libraryId)
    .orderBy('created_at', 'desc')
    .limit(filter.limit);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.deskId !== undefined) q = q.where('desk_id', '=', filter.deskId);
  if (filter.assigneeId === null) q = q.where('assignee_id', 'is', null);
  else if (filter.assigneeId !== undefined) q = q.where('assignee_id', '=', filter.assigneeId);
  if (filter.patronIds !== undefined) q = q.where('patron_id', 'in', filter.patronIds.length ? filter.patronIds : ['']);
  return q.execute();
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
    language: c.language,
    tags_json: [],
    read_scale: null,
    rating_score: null,
    rating_comment: null,
    last_seq: 0,
    patron_seen_seq: 0,
    staff_seen_seq: 0,
    patron_connections: 0,
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
