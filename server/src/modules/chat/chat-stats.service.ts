import type { ChatToday } from '@branchline/protocol';
import { DateTime } from 'luxon';
import type { Actor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { listChatsCreatedSince } from '../conversations/conversations.service.ts';
import { findLibrary } from '../libraries/libraries.service.ts';

/** Today's chat numbers in the library's own day: answered, missed, abandoned, median wait. */
export async function chatToday(deps: Deps, actor: Actor): Promise<ChatToday> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  if (actor.role === 'partner') throw errors.forbidden();
  const library = await findLibrary(deps.db, actor.libraryId);
  if (!library) throw errors.notFound('library');
  const start = DateTime.fromJSDate(deps.clock.now(), { zone: library.timeZone }).startOf('day').toUTC().toISO() ?? '';
  const rows = await listChatsCreatedSince(deps.db, actor.libraryId, start);
  const waits = rows
    .filter((r) => r.accepted_at && r.queued_at)
    .map((r) => (new Date(r.accepted_at ?? 0).getTime() - new Date(r.queued_at ?? 0).getTime()) / 1000)
    // A clock stepped back between queueing and accepting must not produce a negative wait.
    .filter((s) => s >= 0)
    .sort((a, b) => a - b);
  const mid = Math.floor(waits.length / 2);
  const median =
    waits.length === 0 ? null : waits.length % 2 ? (waits[mid] ?? 0) : ((waits[mid - 1] ?? 0) + (waits[mid] ?? 0)) / 2;
  return {
    answered: rows.filter((r) => r.accepted_at !== null).length,
    missed: rows.filter((r) => r.status === 'missed').length,
    abandoned: rows.filter((r) => r.status === 'abandoned').length,
    medianWaitSeconds: median === null ? null : Math.round(median),
  };
}
