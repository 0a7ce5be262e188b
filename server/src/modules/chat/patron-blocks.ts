import type { Ability, PatronBlock } from '@branchline/protocol';
import type { Actor, StaffActor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findConversationOfPatron } from '../conversations/conversations.service.ts';

/**
 * Blocks in force are reviewed, and lifted early, by the library's administrators and
 * supervisors: a librarian who blocks in the heat of a chat has someone to ask to undo it.
 */
const MANAGERS: readonly StaffActor['role'][] = ['admin', 'supervisor'];

export function canManageBlocks(actor: Actor): boolean {
  return actor.kind === 'staff' && MANAGERS.includes(actor.role);
}

function authorizeBlocks(actor: Actor): asserts actor is StaffActor {
  if (actor.kind === 'anonymous') throw errors.unauthenticated();
  if (!canManageBlocks(actor)) throw errors.forbidden();
}

export function blockAbilities(actor: Actor): Ability[] {
  return canManageBlocks(actor) ? ['blocks.manage'] : [];
}

/** The library's blocks still in force, the newest first. */
export async function listBlocks(deps: Deps, actor: Actor): Promise<PatronBlock[]> {
  authorizeBlocks(actor);
  const rows = await deps.db
    .selectFrom('patron_blocks')
    .leftJoin('staff', 'staff.id', 'patron_blocks.created_by')
    .leftJoin('conversations', 'conversations.patron_id', 'patron_blocks.patron_id')
    .select([
      'patron_blocks.id as id',
      'patron_blocks.scope as scope',
      'patron_blocks.reason as reason',
      'patron_blocks.created_at as created_at',
      'patron_blocks.until as until',
      'patron_blocks.created_by as created_by',
      'staff.display_name as blocked_by_name',
      'conversations.id as conversation_id',
    ])
    .where('patron_blocks.library_id', '=', actor.libraryId)
    .where('patron_blocks.until', '>', deps.clock.now().toISOString())
    .orderBy('patron_blocks.created_at', 'desc')
    .orderBy('patron_blocks.id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    scope: row.scope === 'network' ? 'network' : 'browser',
    reason: row.reason,
    blockedBy:
      row.created_by !== null && row.blocked_by_name !== null
        ? { staffId: row.created_by, displayName: row.blocked_by_name }
        : null,
    createdAt: row.created_at,
    until: row.until,
  }));
}

/** Ends a block now, audited. A block that has already ended is not found. */
export async function liftBlock(deps: Deps, actor: Actor, id: string): Promise<void> {
  authorizeBlocks(actor);
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    const lifted = await trx
      .updateTable('patron_blocks')
      .set({ until: now })
      .where('id', '=', id)
      .where('library_id', '=', actor.libraryId)
      .where('until', '>', now)
      .returning(['patron_id', 'scope'])
      .executeTakeFirst();
    if (!lifted) throw errors.notFound('block');
    const chat = lifted.patron_id ? await findConversationOfPatron(trx, lifted.patron_id) : undefined;
    await recordAudit(trx, actor, now, {
      action: 'patron.unblocked',
      subjectType: 'conversation',
      subjectId: chat?.id ?? null,
      libraryId: actor.libraryId,
      details: { scope: lifted.scope },
    });
  });
}
