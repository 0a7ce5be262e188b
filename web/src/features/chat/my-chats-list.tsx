import { Link } from 'react-router';
import type { Conversation, Desk } from '@branchline/protocol';
import { unreadCount } from './chat-selectors.ts';
import type { ChatState } from './chat-state.ts';
import { isEnded, languageNote, patronName } from './chat-words.ts';

interface MyChatsListProps {
  chats: readonly Conversation[];
  state: ChatState;
  desks: readonly Desk[];
  selectedId: string | null;
}

/** The person's chats, numbered for Alt+1…9, with unread counts and who is typing. */
export function MyChatsList({ chats, state, desks, selectedId }: MyChatsListProps) {
  return (
    <section aria-labelledby="mine-heading" className="pane-section">
      <h2 id="mine-heading">
        My chats <span className="count">({chats.length})</span>
      </h2>
      {chats.length === 0 ? (
        <p className="muted">None open. Accept a waiting chat to start.</p>
      ) : (
        <ol className="chat-list">
          {chats.map((chat, index) => {
            const unread = unreadCount(state, chat.id);
            const isSelected = chat.id === selectedId;
            const desk = desks.find((d) => d.id === chat.deskId)?.name;
            return (
              <li key={chat.id}>
                <Link
                  to={{ search: `?c=${encodeURIComponent(chat.id)}` }}
                  className="chat-link"
                  aria-current={isSelected ? 'true' : undefined}
                >
                  <span className="chat-link__name">{patronName(chat)}</span>
                  <span className="chat-link__facts">
                    {desk}
                    {languageNote(chat.language)}
                    {isEnded(chat.status) ? ' · ended' : ''}
                    {state.patronTyping[chat.id] && !isEnded(chat.status) ? ' · typing…' : ''}
                  </span>
                  {unread > 0 && !isSelected ? (
                    <span className="chat-link__unread">
                      {unread} unread<span className="visually-hidden"> {unread === 1 ? 'message' : 'messages'}</span>
                    </span>
                  ) : null}
                  {index < 9 ? (
                    <span className="chat-link__key">
                      <span className="visually-hidden">Shortcut: </span>Alt+{index + 1}
                    </span>
                  ) : null}
                </Link>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
