import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useDesks } from '../../api/desks.ts';
import { useLibrary } from '../../api/libraries.ts';
import { PageHeading } from '../../ui/page-heading.tsx';
import { useSession } from '../auth/session-context.ts';
import { AlertControls } from './alert-controls.tsx';
import { myChats, sideBySideChats } from './chat-selectors.ts';
import type { ShortcutAction } from './console-shortcuts.ts';
import { requestComposerFocus } from './composer.tsx';
import { consoleSettings, useConsoleSettings } from './console-settings.ts';
import { ContextPane } from './context-pane.tsx';
import { ConversationPane } from './conversation-pane.tsx';
import { patronName } from './chat-words.ts';
import { staffConnection, useChatState } from './live-connection.ts';
import { MyChatsList } from './my-chats-list.tsx';
import { ShortcutsDialog } from './shortcuts-dialog.tsx';
import { useConsoleShortcuts } from './use-console-shortcuts.ts';
import { WaitingList } from './waiting-list.tsx';

/**
 * The chat console: waiting chats and my chats (left), the chat (centre), the patron and what
 * can be done (right). Several chats at once: side by side (up to three, when the person turns
 * it on), and by quick switching: Alt+1…9, Alt+↑/↓.
 */
export function ChatConsolePage() {
  const session = useSession();
  const me = session.staff.id;
  const state = useChatState();
  const desks = useDesks(session.staff.libraryId).data ?? [];
  const timeZone = useLibrary(session.staff.libraryId).data?.timeZone;
  const [params, setParams] = useSearchParams();
  const [isHelpOpen, setIsHelpOpen] = useState(false);
  const chats = myChats(state, me);
  const selectedId = params.get('c');
  const selected = selectedId ? state.conversations[selectedId] : undefined;
  const { sideBySide } = useConsoleSettings();
  const shown = sideBySide ? sideBySideChats(chats, selected) : selected ? [selected] : [];

  // The open chat stays followed while on screen, even once it is someone else's; closing it releases it.
  useEffect(() => {
    staffConnection.view(selectedId);
    return () => staffConnection.view(null);
  }, [selectedId]);

  // The chat chosen last, before the page shows it: a second Alt+↓ pressed at once moves on from it.
  const latestSelected = useRef(selectedId);
  useEffect(() => {
    latestSelected.current = selectedId;
  }, [selectedId]);

  function select(id: string | null, options: { focus: boolean } = { focus: true }) {
    latestSelected.current = id;
    setParams(id ? { c: id } : {});
    if (id && options.focus) requestComposerFocus(id);
  }

  // Once an accepted chat comes back as mine, open it; stop waiting if it went to someone else.
  const stopWaiting = useRef<(() => void) | null>(null);
  useEffect(() => () => stopWaiting.current?.(), []);
  function accept(id: string) {
    stopWaiting.current?.();
    staffConnection.accept(id);
    const off = staffConnection.subscribe(() => {
      const now = staffConnection.getSnapshot();
      const chat = now.conversations[id];
      if (chat?.assigneeId === me && chat.status === 'active') {
        stop();
        staffConnection.announce(`Chat with ${patronName(chat)} accepted.`);
        select(id);
      } else if (now.errors[id] || !now.offers.some((o) => o.conversation.id === id)) {
        stop();
      }
    });
    const timer = window.setTimeout(() => stop(), 30_000);
    const stop = () => {
      off();
      window.clearTimeout(timer);
      stopWaiting.current = null;
    };
    stopWaiting.current = stop;
  }

  useConsoleShortcuts((action: ShortcutAction) => {
    if (action.kind === 'help') return setIsHelpOpen(true);
    // The connection's state at the key press, not the last render's: a chat that arrived or
    // left between two quick presses is counted.
    const now = staffConnection.getSnapshot();
    if (action.kind === 'accept') {
      const oldest = now.offers[0];
      return oldest ? accept(oldest.conversation.id) : staffConnection.announce('No chat is waiting for you.');
    }
    const list = myChats(now, me);
    if (list.length === 0) return;
    if (action.kind === 'select') {
      const chat = list[action.index];
      return chat ? select(chat.id) : undefined;
    }
    const current = list.findIndex((c) => c.id === latestSelected.current);
    const next = current === -1 ? (action.delta === 1 ? 0 : list.length - 1) : current + action.delta;
    const chat = list[(next + list.length) % list.length];
    if (chat) select(chat.id);
  });

  return (
    <div className="console-page">
      <div className="console-top">
        <PageHeading title="Chat">Chat</PageHeading>
        <div className="console-tools">
          <AlertControls />
          <div className="field field--checkbox">
            <input
              id="chat-side-by-side"
              type="checkbox"
              checked={sideBySide}
              onChange={(event) => consoleSettings.setSideBySide(event.target.checked)}
            />
            <label htmlFor="chat-side-by-side" className="field__label">
              My chats side by side
            </label>
          </div>
          <button type="button" className="button button--small" onClick={() => setIsHelpOpen(true)}>
            Keyboard shortcuts <kbd aria-hidden="true">?</kbd>
          </button>
          <Link to="/chat/canned" className="button button--small">
            Canned responses
          </Link>
        </div>
      </div>
      <div className={`console${sideBySide && !selected ? ' console--whole-width' : ''}`}>
        <section className="console__queue" aria-label="Waiting and my chats">
          <WaitingList state={state} desks={desks} onAccept={accept} />
          <MyChatsList chats={chats} state={state} desks={desks} selectedId={selectedId} />
        </section>
        {shown.length > 0 ? (
          <>
            {sideBySide ? (
              <div className="console__conversations" aria-label="Chats side by side" role="group">
                {shown.map((chat) => {
                  const index = chats.findIndex((c) => c.id === chat.id);
                  return (
                    <ConversationPane
                      key={chat.id}
                      conversation={chat}
                      state={state}
                      myStaffId={me}
                      desks={desks}
                      timeZone={timeZone}
                      sideBySide={{
                        position: index === -1 ? null : index + 1,
                        isCurrent: chat.id === selectedId,
                        onActivate: () => select(chat.id, { focus: false }),
                      }}
                    />
                  );
                })}
              </div>
            ) : selected ? (
              <ConversationPane
                conversation={selected}
                state={state}
                myStaffId={me}
                desks={desks}
                timeZone={timeZone}
              />
            ) : null}
            {selected ? (
              <ContextPane
                conversation={selected}
                myStaffId={me}
                desks={desks}
                timeZone={timeZone}
                onTransferred={(to) => {
                  staffConnection.announce(`Chat transferred to ${to}.`);
                  select(null);
                }}
                onClose={() => select(null)}
              />
            ) : null}
          </>
        ) : (
          <section className="console__conversation console__empty" aria-label="No chat open">
            {selectedId && state.isGreeted ? (
              <p>
                That chat is not one of yours any more. <Link to={`/inbox/${selectedId}`}>Read it in the inbox</Link>{' '}
                (opening it is recorded in the audit log).
              </p>
            ) : (
              <p>
                {chats.length > 0
                  ? 'Choose one of your chats, or press Alt+1.'
                  : 'When a patron starts a chat on a desk you serve, it appears under Waiting.'}
              </p>
            )}
          </section>
        )}
      </div>
      <ShortcutsDialog open={isHelpOpen} onClose={() => setIsHelpOpen(false)} />
    </div>
  );
}
