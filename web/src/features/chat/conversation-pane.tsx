import { useEffect } from 'react';
import type { Conversation, Desk } from '@branchline/protocol';
import type { ChatState } from './chat-state.ts';
import { isEnded, languageNote, patronName, STATUS_NAMES } from './chat-words.ts';
import { Composer } from './composer.tsx';
import { staffConnection } from './live-connection.ts';
import { Transcript } from './transcript.tsx';

interface ConversationPaneProps {
  conversation: Conversation;
  state: ChatState;
  myStaffId: string;
  desks: readonly Desk[];
  timeZone: string | undefined;
  /** Side by side: its number among the person's chats (Alt+N), and whether it is the one open. */
  sideBySide?: { position: number | null; isCurrent: boolean; onActivate: () => void };
}

/** Marks the log read while it is on screen in a visible tab. */
function useMarkRead(conversationId: string, lastSeq: number): void {
  useEffect(() => {
    const mark = () => {
      if (document.visibilityState === 'visible' && lastSeq > 0) staffConnection.markRead(conversationId, lastSeq);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [conversationId, lastSeq]);
}

/** The centre pane: who, the log, whether the patron is typing, and the composer. */
export function ConversationPane({
  conversation,
  state,
  myStaffId,
  desks,
  timeZone,
  sideBySide,
}: ConversationPaneProps) {
  const { id } = conversation;
  const events = state.events[id] ?? [];
  const name = patronName(conversation);
  const deskName = desks.find((d) => d.id === conversation.deskId)?.name ?? 'Unknown desk';
  const ended = isEnded(conversation.status);
  const isMine = conversation.assigneeId === myStaffId;
  const error = state.errors[id];
  useMarkRead(id, events.at(-1)?.seq ?? 0);
  const headingId = `conversation-heading-${id}`;
  const activate = sideBySide && !sideBySide.isCurrent ? sideBySide.onActivate : undefined;

  return (
    <section
      className={`console__conversation${sideBySide?.isCurrent ? ' console__conversation--current' : ''}`}
      aria-labelledby={headingId}
      aria-current={sideBySide?.isCurrent ? 'true' : undefined}
      onFocus={activate}
      onMouseDown={activate}
    >
      <div className="conversation-head">
        <h2 id={headingId}>
          {sideBySide?.position ? `Chat ${sideBySide.position} with ${name}` : `Chat with ${name}`}
        </h2>
        <p className="conversation-head__facts">
          {deskName} ·{' '}
          <span className={`chat-status chat-status--${conversation.status}`}>{STATUS_NAMES[conversation.status]}</span>
          {languageNote(conversation.language)}
          {isMine ? null : ' · not assigned to you'}
        </p>
      </div>
      {error ? (
        <div role="alert" className="notice notice--error conversation-error">
          <p>{error}</p>
          <button type="button" className="button button--small" onClick={() => staffConnection.clearError(id)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <Transcript
        label={`Messages with ${name}`}
        events={events}
        pending={state.pending.filter((p) => p.conversationId === id)}
        patronName={name}
        myStaffId={myStaffId}
        patronSeenSeq={state.patronSeen[id] ?? 0}
        timeZone={timeZone}
        onRetry={(clientId) => staffConnection.retry(clientId)}
        onDiscard={(clientId) => staffConnection.discard(clientId)}
      />
      <p className="typing-line" aria-live="polite">
        {state.patronTyping[id] && !ended ? 'The patron is typing…' : ''}
      </p>
      {ended ? <p className="notice">This chat has ended. Wrap it up in the panel beside it, then close it.</p> : null}
      {isMine ? (
        <Composer key={id} conversationId={id} canReply={conversation.status === 'active'} />
      ) : (
        <p className="notice">This chat is no longer yours, so you can only read it here.</p>
      )}
    </section>
  );
}
