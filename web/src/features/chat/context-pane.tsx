import type { Conversation, Desk } from '@branchline/protocol';
import { useConversationActions } from '../../api/conversations.ts';
import { BlockPatronForm } from './block-patron-form.tsx';
import { isEnded } from './chat-words.ts';
import { EndChat } from './end-chat.tsx';
import { staffConnection } from './live-connection.ts';
import { EarlierConversations, PatronDetails } from './patron-details.tsx';
import { TransferForm } from './transfer-form.tsx';
import { WrapUpForm } from './wrap-up-form.tsx';

interface ContextPaneProps {
  conversation: Conversation;
  myStaffId: string;
  desks: readonly Desk[];
  timeZone: string | undefined;
  onTransferred: (to: string) => void;
  onClose: () => void;
}

/** The right pane: the patron's context, then what can be done with the chat. */
export function ContextPane({ conversation, myStaffId, desks, timeZone, onTransferred, onClose }: ContextPaneProps) {
  const ended = isEnded(conversation.status);
  const canAct = conversation.assigneeId === myStaffId;
  return (
    <aside className="console__context" aria-label="Patron and chat actions">
      <PatronDetails conversation={conversation} desks={desks} timeZone={timeZone} />
      {canAct && conversation.status === 'active' ? (
        <>
          <TransferForm
            key={conversation.id}
            conversation={conversation}
            myStaffId={myStaffId}
            desks={desks}
            onTransferred={onTransferred}
          />
          <EndChat key={`end-${conversation.id}`} conversation={conversation} />
        </>
      ) : null}
      {canAct && ended ? (
        <>
          <WrapUpForm key={conversation.id} conversation={conversation} />
          <CloseChat key={`close-${conversation.id}`} conversation={conversation} onClose={onClose} />
        </>
      ) : null}
      <EarlierConversations conversation={conversation} desks={desks} timeZone={timeZone} />
      {canAct ? <BlockPatronForm key={`block-${conversation.id}`} conversation={conversation} /> : null}
    </aside>
  );
}

/**
 * Takes the ended chat out of My chats at once, and tells the server, so it stays closed after a
 * reload and on the person's other tabs. Until then it comes back for its wrap-up.
 */
function CloseChat({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const { close } = useConversationActions(conversation.id, (c) => staffConnection.putConversation(c));
  return (
    <div className="context-form">
      <button
        type="button"
        className="button"
        onClick={() => {
          close.mutate();
          staffConnection.dismiss(conversation.id);
          onClose();
        }}
      >
        Close chat
      </button>
      <p className="field__hint">Takes it out of My chats. It stays in the Inbox.</p>
    </div>
  );
}
