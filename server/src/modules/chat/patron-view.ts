import type { PatronConversation, PatronEvent, QueueInfo, SystemEventKind } from '@branchline/protocol';
import type { Db } from '../../platform/db/database.ts';
import type { ConversationEventRow, ConversationRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { findStaffMember } from '../accounts/staff.service.ts';
import * as conversations from '../conversations/conversations.service.ts';
import { findDesk } from '../libraries/libraries.service.ts';
import { staffedCount } from '../routing/staffing.ts';

/** System events a patron is told about; the rest (offers, internal bookkeeping) stay with staff. */
const PATRON_SYSTEM_KINDS = new Set<SystemEventKind>([
  'queued',
  'accepted',
  'transferred',
  'ended',
  'abandoned',
  'missed',
  'left_question',
]);

export function isVisibleToPatron(row: ConversationEventRow): boolean {
  if (row.type === 'note') return false;
  if (row.type === 'system') return PATRON_SYSTEM_KINDS.has(row.system_kind as SystemEventKind);
  return true;
}

/** Who a system event is about, as the patron may see it: the librarian who joined, or the new desk or person. */
function systemName(row: ConversationEventRow): string | null {
  const data = (row.data_json ?? {}) as Record<string, unknown>;
  const name =
    row.system_kind === 'accepted'
      ? data.staffName
      : row.system_kind === 'transferred'
        ? (data.toName ?? data.toDesk)
        : undefined;
  return typeof name === 'string' ? name : null;
}

export function presentPatronEvent(row: ConversationEventRow): PatronEvent {
  return {
    seq: row.seq,
    type: row.type === 'system' ? 'system' : 'message',
    from: row.author_kind as PatronEvent['from'],
    displayName: row.author_kind === 'staff' ? row.author_name : row.type === 'system' ? systemName(row) : null,
    body: row.body,
    systemKind: (row.system_kind as SystemEventKind | null) ?? null,
    clientId: row.author_kind === 'patron' ? row.client_id : null,
    createdAt: row.created_at,
  };
}

export async function patronEventsAfter(db: Db, conversationId: string, after: number): Promise<PatronEvent[]> {
  const rows = await conversations.listEventsAfter(db, conversationId, after, { includeNotes: false });
  return rows.filter(isVisibleToPatron).map(presentPatronEvent);
}

export async function presentPatronConversation(deps: Deps, row: ConversationRow): Promise<PatronConversation> {
  const desk = await findDesk(deps.db, row.desk_id);
  const staff = row.assignee_id ? await findStaffMember(deps.db, row.assignee_id) : undefined;
  return {
    id: row.id,
    status: row.status as PatronConversation['status'],
    deskName: desk?.name ?? '',
    staffDisplayName: row.status === 'active' || row.status === 'resolved' ? (staff?.displayName ?? null) : null,
    queue: row.status === 'queued' ? await queueInfo(deps, row) : null,
    lastSeq: row.last_seq,
    rating: row.rating_score === null ? null : { score: row.rating_score, comment: row.rating_comment ?? '' },
    transcriptRequested: row.transcript_requested_at !== null,
  };
}

/** Where a waiting chat stands, and an honest estimate from the desk's recent answer times. */
export async function queueInfo(deps: Deps, row: ConversationRow): Promise<QueueInfo> {
  const position = (await conversations.countQueuedAhead(deps.db, row)) + 1;
  return { position, estimatedWaitSeconds: await estimateWait(deps, row.library_id, row.desk_id, position) };
}

const SAMPLE = 30;
const MIN_SAMPLES = 3;

export async function estimateWait(
  deps: Deps,
  libraryId: string,
  deskId: string,
  position: number,
): Promise<number | null> {
  const since = new Date(deps.clock.now().getTime() - 14 * 24 * 3600_000).toISOString();
  const recent = await conversations.listRecentAnswers(deps.db, deskId, since, SAMPLE);
  const waits = recent
    .map((r) => (new Date(r.accepted_at ?? 0).getTime() - new Date(r.queued_at ?? 0).getTime()) / 1000)
    .filter((s) => s >= 0)
    .sort((a, b) => a - b);
  if (waits.length < MIN_SAMPLES) return null;
  const median = waits[Math.floor(waits.length / 2)] ?? 0;
  const staffed = Math.max(1, await staffedCount(deps, libraryId, deskId));
  return Math.round((median * position) / staffed);
}
