import type { Actor } from '../../platform/actor.ts';
import type { ConversationRow } from '../../platform/db/schema.ts';
import { errors } from '../../platform/errors.ts';

export type ConversationAction = 'conversation.read' | 'conversation.act' | 'conversation.accept';

/**
 * Staff of the conversation's library may read it (partners may not: they receive referrals,
 * not transcripts). Acting on it (replying, ending, transferring) is for its assignee, or a
 * supervisor or admin stepping in.
 */
export function canOnConversation(
  actor: Actor,
  action: ConversationAction,
  conversation: Pick<ConversationRow, 'library_id' | 'assignee_id'>,
): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'staff' || actor.libraryId !== conversation.library_id || actor.role === 'partner') return false;
  switch (action) {
    case 'conversation.read':
    case 'conversation.accept':
      return true;
    case 'conversation.act':
      return conversation.assignee_id === actor.staffId || actor.role === 'supervisor' || actor.role === 'admin';
  }
}

export function authorizeOnConversation(
  actor: Actor,
  action: ConversationAction,
  conversation: Pick<ConversationRow, 'library_id' | 'assignee_id'>,
): void {
  if (actor.kind === 'anonymous') throw errors.unauthenticated();
  if (actor.kind === 'staff' && (actor.libraryId !== conversation.library_id || actor.role === 'partner')) {
    throw errors.notFound('conversation');
  }
  if (!canOnConversation(actor, action, conversation)) {
    throw errors.forbidden('Only the staff member handling this conversation, or a supervisor, can do that.');
  }
}

export function authorizeConversationList(actor: Actor): asserts actor is Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  if (actor.role === 'partner') throw errors.forbidden();
}
