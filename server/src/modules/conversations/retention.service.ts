import { system } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { CLOSED_STATUSES } from './conversations.repo.ts';

/** Conversations cleared per transaction, so a first run on a large database never holds a long lock. */
const BATCH = 200;
const DAY_MS = 86_400_000;

export interface PurgeReport {
  libraryId: string;
  libraryName: string;
  retentionDays: number;
  /** Conversations whose transcript was deleted in this run. */
  conversations: number;
  /** Blocks that ended longer ago than the retention, deleted with their hashes. */
  blocks: number;
}

/**
 * Deletes what each library's retention no longer allows. Of conversations that ended more than
 * its `transcript_retention_days` ago: every message, note and system event, the patron's name
 * and email, the hashes of their chat token, address and browser, a transcript address and a
 * rating's comment. Kept, for the numbers: desk, channel, outcome, times, who answered, tags,
 * READ scale and the rating's score. Blocks that ended as long ago go too.
 *
 * Each step is conditional, so several instances may run it at once, and again.
 */
export async function purgeExpiredTranscripts(deps: Deps): Promise<PurgeReport[]> {
  const now = deps.clock.now();
  const iso = now.toISOString();
  const libraries = await deps.db
    .selectFrom('libraries')
    .select(['id', 'name', 'transcript_retention_days'])
    .orderBy('name')
    .execute();
  const reports: PurgeReport[] = [];
  for (const library of libraries) {
    const cutoff = new Date(now.getTime() - library.transcript_retention_days * DAY_MS).toISOString();
    let conversations = 0;
    for (;;) {
      const batch = await deps.db
        .selectFrom('conversations')
        .select(['id', 'patron_id'])
        .where('library_id', '=', library.id)
        .where('purged_at', 'is', null)
        .where('status', 'in', CLOSED_STATUSES)
        .where('resolved_at', '<', cutoff)
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      const ids = batch.map((r) => r.id);
      conversations += await deps.db.transaction().execute(async (trx) => {
        const cleared = await trx
          .updateTable('conversations')
          .set({
            patron_token_hash: null,
            patron_ip_hash: '',
            patron_browser_hash: null,
            start_client_id: null,
            transcript_email: null,
            rating_comment: null,
            purged_at: iso,
          })
          .where('id', 'in', ids)
          .where('purged_at', 'is', null)
          .executeTakeFirst();
        await trx.deleteFrom('conversation_events').where('conversation_id', 'in', ids).execute();
        await trx
          .updateTable('patrons')
          .set({ name: null, email: null, updated_at: iso })
          .where(
            'id',
            'in',
            batch.map((r) => r.patron_id),
          )
          .execute();
        return Number(cleared.numUpdatedRows);
      });
      if (batch.length < BATCH) break;
    }
    // Anything written to a conversation after its purge goes the same way.
    await deps.db
      .deleteFrom('conversation_events')
      .where('conversation_id', 'in', (eb) =>
        eb
          .selectFrom('conversations')
          .select('id')
          .where('library_id', '=', library.id)
          .where('purged_at', 'is not', null),
      )
      .execute();
    const blocks = Number(
      (
        await deps.db
          .deleteFrom('patron_blocks')
          .where('library_id', '=', library.id)
          .where('until', '<', cutoff)
          .executeTakeFirst()
      ).numDeletedRows,
    );
    if (conversations > 0 || blocks > 0) {
      await recordAudit(deps.db, system, iso, {
        action: 'transcripts.purged',
        subjectType: 'library',
        subjectId: library.id,
        libraryId: library.id,
        details: { conversations, blocks, retentionDays: library.transcript_retention_days },
      });
    }
    reports.push({
      libraryId: library.id,
      libraryName: library.name,
      retentionDays: library.transcript_retention_days,
      conversations,
      blocks,
    });
  }
  return reports;
}
