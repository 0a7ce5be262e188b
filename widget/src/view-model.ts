import type { DeskAvailability } from '@branchline/protocol';
import type { LinkState } from './connection.ts';
import { ENDED_STATUSES, type MessageProblem } from './contract.ts';
import { type Lang, t } from './messages.ts';
import type { SavedChat } from './store.ts';
import { type TimelineItem, buildTimeline, unacked } from './timeline.ts';
import { statusLine } from './wording.ts';

export type Screen = 'loading' | 'unavailable' | 'question' | 'chat';
/** Within the chat screen: before the first message, chatting, ended, or gone. */
export type Phase = 'intro' | 'compose' | 'ended' | 'expired';

/** Everything the view shows, computed by the controller. */
export interface ViewModel {
  open: boolean;
  launcherText: string;
  /** For the page title while the tab is in the background: '' when no librarian's message waits unread. */
  titleAlert: string;
  subtitle: string;
  status: string;
  notice: string;
  screen: Screen;
  unavailableText: string;
  canRetryDesk: boolean;
  questionReason: string;
  questionSent: boolean;
  canChatInstead: boolean;
  phase: Phase;
  items: TimelineItem[];
  typing: string;
  missed: boolean;
  rated: boolean;
  transcriptRequested: boolean;
}

/** What the patron asked for. Async actions resolve to '' on success or the words of the error. */
export interface ViewActions {
  toggle(open: boolean): void;
  send(text: string): MessageProblem | null;
  typed(hasText: boolean): void;
  retryMessage(clientId: string): void;
  end(): Promise<string>;
  identify(name: string, email: string): Promise<string>;
  rate(score: number, comment: string): Promise<string>;
  transcript(email: string): Promise<string>;
  /** Downloads the chat as a text file. */
  saveCopy(): void;
  leaveQuestion(email: string, name: string, message: string): Promise<string>;
  newChat(): void;
  retryDesk(): void;
  chatInstead(): void;
  askInstead(): void;
  switchLang(): void;
}

export type DeskState = 'idle' | 'loading' | 'ready' | 'error' | 'missing';

/** Everything the controller knows, from which the view model follows. */
export interface WidgetFacts {
  lang: Lang;
  open: boolean;
  label: string | null;
  chat: SavedChat;
  link: LinkState;
  typing: string | null;
  online: boolean;
  desk: DeskAvailability | null;
  deskState: DeskState;
  blocked: boolean;
  expired: boolean;
  chatAnyway: boolean;
  askingInstead: boolean;
  questionSent: boolean;
  notice: string;
}

/** Which screen, which words: the decisions of the widget, without the DOM. */
export function buildViewModel(f: WidgetFacts): ViewModel {
  const { lang, chat, desk } = f;
  const conversation = chat.conversation;
  const ended = conversation !== null && ENDED_STATUSES.includes(conversation.status);
  const hasChat = chat.token !== null || chat.outbox.length > 0 || f.expired;
  const sending = chat.token === null && unacked(chat).length > 0;
  const active = (chat.token !== null && !ended && !f.expired) || sending;
  const unread = chat.events.filter((e) => e.from === 'staff' && e.type === 'message' && e.seq > chat.readSeq).length;

  let screen: Screen = 'chat';
  let unavailableText = '';
  let questionReason = '';
  if (f.blocked || (!hasChat && f.deskState === 'missing')) {
    screen = 'unavailable';
    unavailableText = t(lang, 'blocked');
  } else if (f.askingInstead) {
    screen = 'question';
  } else if (!hasChat && desk && (!desk.isOpen || (desk.suggestLeavingQuestion && !f.chatAnyway))) {
    screen = 'question';
    questionReason = t(lang, desk.isOpen ? 'questionBusy' : 'questionClosed');
  } else if (!hasChat && !desk) {
    screen = f.deskState === 'error' ? 'unavailable' : 'loading';
    if (screen === 'unavailable') unavailableText = t(lang, 'unreachable');
  }
  let phase: Phase = 'compose';
  if (f.expired) phase = 'expired';
  else if (ended) phase = 'ended';
  else if (chat.token === null) phase = 'intro';

  let launcherText = f.label ?? t(lang, 'launcher');
  if (active) launcherText = unread > 0 ? t(lang, 'launcherUnread', { n: unread }) : t(lang, 'launcherContinue');
  const status = f.blocked
    ? ''
    : statusLine({ online: f.online, link: f.link, conversation, starting: sending, desk, expired: f.expired }, lang);
  return {
    open: f.open,
    launcherText,
    titleAlert: active && unread > 0 ? t(lang, 'titleUnread', { n: unread }) : '',
    subtitle: subtitleOf(desk?.libraryName, desk?.name ?? conversation?.deskName, t(lang, 'title')),
    status,
    notice: f.notice,
    screen,
    unavailableText,
    canRetryDesk: screen === 'unavailable' && !f.blocked && f.deskState === 'error',
    questionReason,
    questionSent: f.questionSent,
    canChatInstead: !f.askingInstead && desk !== null && desk.isOpen,
    phase,
    items: buildTimeline(chat),
    typing: f.typing && !ended ? t(lang, 'typing', { name: f.typing }) : '',
    missed: conversation?.status === 'missed',
    rated: conversation !== null && conversation.rating !== null,
    transcriptRequested: conversation?.transcriptRequested === true,
  };
}

/** "Springfield Library — Homework help"; the desk name is left out when it repeats the title. */
function subtitleOf(library: string | undefined, desk: string | undefined, title: string): string {
  const deskName = desk && desk.trim().toLowerCase() !== title.toLowerCase() ? desk : '';
  return [library, deskName].filter(Boolean).join(' — ');
}
