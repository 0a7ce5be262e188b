import type {
  Channel,
  Conversation,
  ConversationEvent,
  ConversationStatus,
  EventAuthor,
  SystemEventKind,
} from '@branchline/protocol';
import type { ConversationEventRow, ConversationRow, PatronRow } from '../../platform/db/schema.ts';

export function presentConversation(row: ConversationRow, patron: PatronRow | undefined): Conversation {
  return {
    id: row.id,
    libraryId: row.library_id,
    deskId: row.desk_id,
    channel: row.channel as Channel,
    status: row.status as ConversationStatus,
    assigneeId: row.assignee_id,
    patron: {
      id: row.patron_id,
      name: patron?.name ?? null,
      email: patron?.email ?? null,
      isIdentified: Boolean(patron?.name || patron?.email),
      browserKnown: row.patron_browser_hash !== null,
    },
    language: row.language,
    tags: Array.isArray(row.tags_json) ? (row.tags_json as string[]) : [],
    readScale: row.read_scale,
    rating: row.rating_score === null ? null : { score: row.rating_score, comment: row.rating_comment ?? '' },
    lastSeq: row.last_seq,
    patronSeenSeq: row.patron_seen_seq,
    staffSeenSeq: row.staff_seen_seq,
    createdAt: row.created_at,
    queuedAt: row.queued_at,
    waitingSince: row.status === 'queued' ? waitingSince(row) : null,
    firstResponseAt: row.first_response_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
    purgedAt: row.purged_at,
  };
}

export function presentEvent(row: ConversationEventRow): ConversationEvent {
  const author: EventAuthor =
    row.author_kind === 'staff' && row.author_staff_id
      ? { kind: 'staff', staffId: row.author_staff_id, displayName: row.author_name ?? '' }
      : row.author_kind === 'patron'
        ? { kind: 'patron' }
        : { kind: 'system' };
  return {
    seq: row.seq,
    conversationId: row.conversation_id,
    type: row.type as ConversationEvent['type'],
    author,
    body: row.body,
    systemKind: (row.system_kind as SystemEventKind | null) ?? null,
    data: (row.data_json ?? {}) as ConversationEvent['data'],
    // Staff tabs match their own sends by it; a patron's is theirs alone (it resumes a lost start).
    clientId: row.author_kind === 'staff' ? row.client_id : null,
    createdAt: row.created_at,
  };
}

/** Since when a queued chat has waited where it is now: handed back to the queue, else first queued. */
export function waitingSince(row: Pick<ConversationRow, 'requeued_at' | 'queued_at' | 'created_at'>): string {
  return row.requeued_at ?? row.queued_at ?? row.created_at;
}
