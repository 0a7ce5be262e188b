import type {
  ConversationListQuery,
  ConversationWithEvents,
  Conversation,
  SystemEventKind,
} from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import { topics } from '../../platform/bus.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import type { ConversationEventRow, ConversationRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { authorizeConversationList, authorizeOnConversation } from './conversations.policy.ts';
import { presentConversation, presentEvent } from './conversations.presenter.ts';
import * as repo from './conversations.repo.ts';

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
  readonly events = new Map<string, number>();
  readonly states = new Set<string>();
  readonly libraries = new Set<string>();
  event(conversationId: string, seq: number): void {
    this.events.set(conversationId, Math.max(seq, this.events.get(conversationId) ?? 0));
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
  for (const [id, lastSeq] of touched.events)
    rings.push(deps.bus.publish(topics.conversation(id), { kind: 'events', lastSeq }));
  for (const id of touched.states)
    if (!touched.events.has(id)) rings.push(deps.bus.publish(topics.conversation(id), { kind: 'conversation' }));
  for (const id of touched.libraries) rings.push(deps.bus.publish(topics.library(id), { kind: 'queue' }));
  await Promise.all(rings.map((r) => r.catch((error: unknown) => deps.log.warn({ err: error }, 'bus publish failed'))));
}

/** Appends an event; with a clientId it is idempotent (the first event with that id is answered). */
export async function appendEvent(
  trx: Db,
  now: string,
  conversationId: string,
  input: AppendInput,
  touched: Touched,
): Promise<{ event: ConversationEventRow; isDuplicate: boolean }> {
  if (input.clientId !== undefined) {
    const existing = await repo.findEventByClientId(trx, conversationId, input.clientId);
    if (existing) return { event: existing, isDuplicate: true };
  }
  try {
    const event = await repo.appendEventRow(
      trx,
      conversationId,
      {
        type: input.type,
        author_kind: input.author.kind,
        author_staff_id: input.author.kind === 'staff' ? input.author.staffId : null,
        author_name: input.author.kind === 'staff' ? input.author.displayName : null,
        body: input.body,
        system_kind: input.systemKind ?? null,
        data_json: input.data ?? {},
        client_id: input.clientId ?? null,
        created_at: now,
      },
      now,
    );
    touched.event(conversationId, event.seq);
    return { event, isDuplicate: false };
  } catch (error) {
    // A concurrent duplicate send lost the race on the unique (conversation, client id) index.
    if (input.clientId !== undefined && isUniqueViolation(error)) {
      const existing = await repo.findEventByClientId(trx, conversationId, input.clientId);
      if (existing) return { event: existing, isDuplicate: true };
    }
    throw error;
  }
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
): Promise<Conversation[]> {
  authorizeConversationList(actor);
  const rows = await repo.listConversationRows(deps.db, {
    libraryId: actor.libraryId,
    status: query.status,
    deskId: query.deskId,
    assigneeId: query.assignee === 'me' ? actor.staffId : query.assignee === 'none' ? null : query.assignee,
    limit: query.limit,
  });
  return Promise.all(rows.map((row) => presentRow(deps.db, row)));
}

/** A whole conversation with its log, internal notes included. Staff reads of transcripts are audited. */
export async function getConversation(deps: Deps, actor: Actor, id: string): Promise<ConversationWithEvents> {
  const row = await repo.findConversationById(deps.db, id);
  if (!row) throw errors.notFound('conversation');
  authorizeOnConversation(actor, 'conversation.read', row);
  const events = await repo.listEventsAfter(deps.db, id, 0, { includeNotes: true, limit: 5000 });
  await recordAudit(deps.db, actor, deps.clock.now().toISOString(), {
    action: 'conversation.viewed',
    subjectType: 'conversation',
    subjectId: id,
  });
  return { ...(await presentRow(deps.db, row)), events: events.map(presentEvent) };
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
