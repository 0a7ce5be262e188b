import { useEffect, useRef } from 'react';
import { useDesks } from '../../api/desks.ts';
import { useSession } from '../auth/session-context.ts';
import { consoleSettings } from './console-settings.ts';
import type { Notice } from './chat-state.ts';
import { useChatState } from './live-connection.ts';
import { noticeText } from './notice-text.ts';
import { unreadInMyChats } from './chat-selectors.ts';
import { playMessageSound, playOfferSound } from './offer-sound.ts';
import { badgedTitle } from './title-badge.ts';

/**
 * Keeps "(2) " in front of the document title while chats ring or patrons' messages wait unread,
 * whatever page sets the title.
 */
function useTitleBadge(count: number): void {
  useEffect(() => {
    const apply = () => {
      const next = badgedTitle(document.title, count);
      if (next !== document.title) document.title = next;
    };
    apply();
    const title = document.querySelector('title');
    if (!title) return;
    const observer = new MutationObserver(apply);
    observer.observe(title, { childList: true, characterData: true, subtree: true });
    return () => {
      observer.disconnect();
      document.title = badgedTitle(document.title, 0);
    };
  }, [count]);
}

function notifyDesktop(title: string, text: string): void {
  if (!consoleSettings.get().wantsNotifications || typeof Notification === 'undefined') return;
  // The person is looking at the dashboard already: the sound, badge and list say it.
  if (Notification.permission !== 'granted' || !document.hidden) return;
  const notification = new Notification(title, { body: text, tag: 'branchline-offer' });
  notification.onclick = () => {
    window.focus();
    notification.close();
  };
}

/**
 * Incoming work, on every page: a soft chime (unless muted), the count in the title, a desktop
 * notification when asked for and the tab is hidden, and a polite announcement. Never a modal.
 */
export function IncomingWork() {
  const state = useChatState();
  const session = useSession();
  const desks = useDesks(session.staff.libraryId);
  const unread = unreadInMyChats(state, session.staff.id);
  const handled = useRef(0);
  const deskName = (deskId: string) => desks.data?.find((d) => d.id === deskId)?.name ?? 'a desk';
  const text = (notice: Notice) => noticeText(notice, deskName);

  useTitleBadge(state.offers.length + unread);

  // A patron wrote while the person is in another tab (the catalogue, say): one quiet note.
  const unreadBefore = useRef(unread);
  useEffect(() => {
    const grew = unread > unreadBefore.current;
    unreadBefore.current = unread;
    if (grew && document.hidden && !consoleSettings.get().isMuted) playMessageSound();
  }, [unread]);

  const newest = state.notices.at(-1)?.id ?? 0;
  useEffect(() => {
    const fresh = state.notices.filter((n) => n.id > handled.current);
    handled.current = Math.max(handled.current, newest);
    // A chat passed over by a colleague rings like a new one: its patron is already waiting.
    const ringing = fresh.find((n) => n.kind === 'offer' || n.kind === 'transferred');
    if (!ringing) return;
    if (!consoleSettings.get().isMuted) playOfferSound();
    notifyDesktop(
      ringing.kind === 'offer' ? 'Branchline: a patron is waiting' : 'Branchline: a chat was passed to you',
      noticeText(ringing, (id) => desks.data?.find((d) => d.id === id)?.name ?? 'a desk'),
    );
  }, [newest, state.notices, desks.data]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="false">
      {state.notices.map((notice) => (
        <p key={notice.id}>{text(notice)}</p>
      ))}
    </div>
  );
}
