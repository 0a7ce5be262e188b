import type { Conversation, ConversationEvent, DeskQueue, Presence, StaffServerFrame } from '@branchline/protocol';

/** A message or note typed in this tab and not yet in the log. */
export interface PendingSend {
  clientId: string;
  conversationId: string;
  body: string;
  internal: boolean;
  /** sending: not acknowledged yet (resent on reconnect); sent: acknowledged, waiting for its event. */
  state: 'sending' | 'sent' | 'failed';
  error: string | null;
}

export interface Offer {
  conversation: Conversation;
  ringUntil: string | null;
  /** The patron's first message, shortened by the server: enough to decide without following the chat. */
  preview: string | null;
}

/** Something to say politely: a new offer, a chat someone else took, an error. */
export type NoticeBody =
  | { kind: 'offer'; conversationId: string; deskId: string }
  | { kind: 'transferred'; conversationId: string; from: string; patron: string }
  | { kind: 'taken'; conversationId: string; takenBy: string | null }
  | { kind: 'withdrawn'; conversationId: string; reason: 'timeout' | 'abandoned' | 'transferred' | 'declined' }
  | { kind: 'error'; conversationId: string | null; message: string }
  | { kind: 'info'; text: string };

export type Notice = NoticeBody & { id: number };

export type LinkState = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface ChatState {
  link: LinkState;
  /** Set once the server greeted this connection (presence and queues are known). */
  isGreeted: boolean;
  presence: Presence | null;
  conversations: Readonly<Record<string, Conversation>>;
  /** Each conversation's log, ordered by seq, without duplicates. */
  events: Readonly<Record<string, readonly ConversationEvent[]>>;
  pending: readonly PendingSend[];
  offers: readonly Offer[];
  queues: readonly DeskQueue[];
  patronTyping: Readonly<Record<string, boolean>>;
  /** The patron's last seen seq, from the conversation (after a reload) and from `seen` frames. */
  patronSeen: Readonly<Record<string, number>>;
  /** The last seq staff have read in each conversation, for unread counts; from the conversation and this tab. */
  readUpTo: Readonly<Record<string, number>>;
  /** The last error the server gave about each conversation. */
  errors: Readonly<Record<string, string>>;
  /** Recent notices, newest last; a few are kept for the live region. */
  notices: readonly Notice[];
  nextNoticeId: number;
  /** Chats ended and closed in this tab: they leave "My chats". */
  dismissed: Readonly<Record<string, true>>;
  /** Counts the server's word that colleagues' presence changed: lists of colleagues read again when it moves. */
  colleaguesVersion: number;
}

export const INITIAL_CHAT_STATE: ChatState = {
  link: 'idle',
  isGreeted: false,
  presence: null,
  conversations: {},
  events: {},
  pending: [],
  offers: [],
  queues: [],
  patronTyping: {},
  patronSeen: {},
  readUpTo: {},
  errors: {},
  notices: [],
  nextNoticeId: 1,
  dismissed: {},
  colleaguesVersion: 0,
};

const NOTICES_KEPT = 5;

export function addNotice(state: ChatState, notice: NoticeBody): ChatState {
  const withId: Notice = { ...notice, id: state.nextNoticeId };
  return { ...state, notices: [...state.notices, withId].slice(-NOTICES_KEPT), nextNoticeId: state.nextNoticeId + 1 };
}

/** Adds an event to an ordered log unless its seq is already there. Returns the same array when nothing changed. */
export function mergeEvent(log: readonly ConversationEvent[], event: ConversationEvent): readonly ConversationEvent[] {
  const last = log[log.length - 1];
  if (!last || last.seq < event.seq) return [...log, event];
  if (log.some((e) => e.seq === event.seq)) return log;
  return [...log, event].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held for a conversation: what to ask the server to continue after. */
export function lastSeqHeld(state: ChatState, conversationId: string): number {
  const log = state.events[conversationId];
  return log?.[log.length - 1]?.seq ?? 0;
}

/** Raises a per-conversation position, never lowers it: frames and REST answers can arrive out of order. */
function raised(record: Readonly<Record<string, number>>, id: string, seq: number): Readonly<Record<string, number>> {
  return seq > (record[id] ?? 0) ? { ...record, [id]: seq } : record;
}

export function upsertConversation(state: ChatState, conversation: Conversation): ChatState {
  const { id } = conversation;
  const offers = conversation.status === 'queued' ? state.offers : state.offers.filter((o) => o.conversation.id !== id);
  return {
    ...state,
    conversations: { ...state.conversations, [id]: conversation },
    offers,
    // After a reload the marks come from the conversation: "Seen" on replies, and what is still unread.
    patronSeen: raised(state.patronSeen, id, conversation.patronSeenSeq),
    readUpTo: raised(state.readUpTo, id, conversation.staffSeenSeq),
  };
}

/**
 * Whether this tab still needs a conversation's live log: it is one of the person's chats (not
 * closed here), or it is open on screen. Anything else (a chat transferred away, one closed after
 * wrap-up) is someone else's to follow.
 */
export function isOfInterest(state: ChatState, conversationId: string, viewing: string | null): boolean {
  if (conversationId === viewing) return true;
  const me = state.presence?.staffId;
  if (me === undefined) return true; // not greeted yet: nothing is known to be someone else's
  const conversation = state.conversations[conversationId];
  return conversation?.assigneeId === me && conversation.closedAt === null && !state.dismissed[conversationId];
}

/** The conversations this tab holds but no longer needs (see `isOfInterest`). */
export function conversationsToRelease(state: ChatState, viewing: string | null): string[] {
  const held = new Set([...Object.keys(state.conversations), ...Object.keys(state.events)]);
  return [...held].filter((id) => !isOfInterest(state, id, viewing));
}

/** Drops everything held about a conversation, so no later hello asks to follow it again. */
export function forgetConversation(state: ChatState, conversationId: string): ChatState {
  const id = conversationId;
  return {
    ...state,
    conversations: withoutKey(state.conversations, id),
    events: withoutKey(state.events, id),
    pending: state.pending.some((p) => p.conversationId === id)
      ? state.pending.filter((p) => p.conversationId !== id)
      : state.pending,
    patronTyping: withoutKey(state.patronTyping, id),
    patronSeen: withoutKey(state.patronSeen, id),
    readUpTo: withoutKey(state.readUpTo, id),
    errors: withoutKey(state.errors, id),
  };
}

export function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function applyEvent(state: ChatState, conversationId: string, event: ConversationEvent): ChatState {
  const log = state.events[conversationId] ?? [];
  const merged = mergeEvent(log, event);
  if (merged === log) return state;
  const pending = event.clientId ? state.pending.filter((p) => p.clientId !== event.clientId) : state.pending;
  // A patron who sends a message has stopped typing it.
  const patronTyping =
    event.author.kind === 'patron' ? withoutKey(state.patronTyping, conversationId) : state.patronTyping;
  return { ...state, events: { ...state.events, [conversationId]: merged }, pending, patronTyping };
}

function applyOffer(state: ChatState, offer: Offer): ChatState {
  const isNew = !state.offers.some((o) => o.conversation.id === offer.conversation.id);
  const offers = [...state.offers.filter((o) => o.conversation.id !== offer.conversation.id), offer];
  const next = { ...state, offers };
  return isNew
    ? addNotice(next, { kind: 'offer', conversationId: offer.conversation.id, deskId: offer.conversation.deskId })
    : next;
}

type Frame<T extends StaffServerFrame['type']> = Extract<StaffServerFrame, { type: T }>;

function applyWelcome(state: ChatState, frame: Frame<'welcome'>): ChatState {
  let next: ChatState = { ...state, isGreeted: true, presence: frame.presence, queues: frame.queues };
  for (const conversation of frame.conversations) next = upsertConversation(next, conversation);
  // The offers ringing now replace what this tab remembered from before a reconnect.
  const ringing = new Set(frame.offers.map((o) => o.conversation.id));
  next = { ...next, offers: next.offers.filter((o) => ringing.has(o.conversation.id)) };
  for (const offer of frame.offers) next = applyOffer(next, offer);
  return next;
}

function applyWithdrawn(state: ChatState, frame: Frame<'offer.withdrawn'>): ChatState {
  // Said even when the offer already left (the chat's own update can arrive first): the server
  // sends this only to people it was ringing for.
  const next = { ...state, offers: state.offers.filter((o) => o.conversation.id !== frame.conversationId) };
  if (frame.reason === 'taken') {
    return addNotice(next, { kind: 'taken', conversationId: frame.conversationId, takenBy: frame.takenBy });
  }
  return addNotice(next, { kind: 'withdrawn', conversationId: frame.conversationId, reason: frame.reason });
}

function applyError(state: ChatState, frame: Frame<'error'>): ChatState {
  if (frame.clientId !== undefined && state.pending.some((p) => p.clientId === frame.clientId)) {
    const pending = state.pending.map((p) =>
      p.clientId === frame.clientId ? { ...p, state: 'failed' as const, error: frame.message } : p,
    );
    return { ...state, pending };
  }
  const conversationId = frame.conversationId ?? null;
  const errors = conversationId ? { ...state.errors, [conversationId]: frame.message } : state.errors;
  return addNotice({ ...state, errors }, { kind: 'error', conversationId, message: frame.message });
}

/** What one server frame does to the console's state. Pure: the connection and the tests share it. */
export function applyFrame(state: ChatState, frame: StaffServerFrame): ChatState {
  switch (frame.type) {
    case 'welcome':
      // Colleagues may have come and gone while this tab was disconnected.
      return { ...applyWelcome(state, frame), colleaguesVersion: state.colleaguesVersion + 1 };
    case 'offer': {
      const { conversation, ringUntil, preview } = frame;
      return applyOffer(state, { conversation, ringUntil, preview });
    }
    case 'offer.withdrawn':
      return applyWithdrawn(state, frame);
    case 'conversation.transferred': {
      const chat = state.conversations[frame.conversationId];
      if (!chat) return state;
      return addNotice(state, {
        kind: 'transferred',
        conversationId: chat.id,
        from: frame.from,
        patron: chat.patron.name || chat.patron.email || 'a patron',
      });
    }
    case 'conversation':
      return upsertConversation(state, frame.conversation);
    case 'event':
      return applyEvent(state, frame.conversationId, frame.event);
    case 'ack': {
      // The ack may carry the message's own event, which then comes no other way.
      const next = frame.event ? applyEvent(state, frame.conversationId, frame.event) : state;
      const pending = next.pending.map((p) =>
        p.clientId === frame.clientId ? { ...p, state: 'sent' as const, error: null } : p,
      );
      return { ...next, pending };
    }
    case 'typing':
      return { ...state, patronTyping: { ...state.patronTyping, [frame.conversationId]: frame.isTyping } };
    case 'seen': {
      const patronSeen = raised(state.patronSeen, frame.conversationId, frame.seq);
      return patronSeen === state.patronSeen ? state : { ...state, patronSeen };
    }
    case 'queue':
      return { ...state, queues: frame.queues };
    case 'presence':
      return { ...state, presence: frame.presence };
    case 'colleagues':
      return { ...state, colleaguesVersion: state.colleaguesVersion + 1 };
    case 'error':
      return applyError(state, frame);
    case 'pong':
      return state;
  }
}
