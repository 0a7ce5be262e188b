import { useState } from 'react';
import type { Conversation } from '@branchline/protocol';
import { useConversationActions } from '../../api/conversations.ts';
import { patronName } from './chat-words.ts';
import { staffConnection } from './live-connection.ts';

/** "End chat", confirmed inline (no modal): the patron sees that the chat has ended. */
export function EndChat({ conversation }: { conversation: Conversation }) {
  const [isConfirming, setIsConfirming] = useState(false);
  const { end } = useConversationActions(conversation.id, (c) => staffConnection.putConversation(c));

  if (!isConfirming) {
    return (
      <section aria-labelledby="end-heading" className="context-form">
        <h2 id="end-heading" className="visually-hidden">
          End the chat
        </h2>
        <button type="button" className="button button--danger-outline" onClick={() => setIsConfirming(true)}>
          End chat
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="end-heading" className="context-form inline-confirm">
      <h2 id="end-heading">End the chat with {patronName(conversation)}?</h2>
      <p>They will see that the chat has ended and can ask for a transcript.</p>
      {end.isError ? (
        <p role="alert" className="field__error">
          {end.error.message}
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" className="button" autoFocus onClick={() => setIsConfirming(false)}>
          Keep chatting
        </button>
        <button type="button" className="button button--danger" disabled={end.isPending} onClick={() => end.mutate()}>
          {end.isPending ? 'Ending…' : 'Yes, end chat'}
        </button>
      </div>
    </section>
  );
}
