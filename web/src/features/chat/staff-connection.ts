import type { Conversation, Presence, PresenceStatus, StaffClientFrame, StaffServerFrame } from '@branchline/protocol';
import {
  addNotice,
  applyFrame,
  conversationsToRelease,
  forgetConversation,
  INITIAL_CHAT_STATE,
  lastSeqHeld,
  upsertConversation,
  withoutKey,
  type ChatState,
} from './chat-state.ts';

/** What the connection needs of a socket; the browser's WebSocket in the app, a fake in tests. */
export interface SocketHandle {
  send(data: string): void;
  close(): void;
}

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

export interface ConnectionOptions {
  url: () => string;
  createSocket: SocketFactory;
  /** Subscribes to "the network is back"; answers the unsubscribe. */
  onOnline?: (listener: () => void) => () => void;
  /** The server closed the connection because the person's session ended (signed out elsewhere, deactivated). */
  onSessionEnded?: () => void;
  random?: () => number;
  newClientId?: () => string;
}

export const PING_MS = 25_000;
export const MIN_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 15_000;
/** A patron typing indicator that is not refreshed goes away after this long. */
export const TYPING_EXPIRES_MS = 15_000;
/** The server follows at most this many conversations from one hello. */
const MAX_SUBSCRIPTIONS = 50;

/** The wait before reconnect attempt `attempt` (0-based): doubling from 1 s to 15 s, ±20 % jitter. */
export function retryDelay(attempt: number, random: number): number {
  const base = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** attempt);
  return Math.round(Math.min(MAX_RETRY_MS, base * (0.8 + 0.4 * random)));
}

export function randomClientId(): string {
  return `s${crypto.randomUUID().replaceAll('-', '')}`;
}

/**
 * The dashboard's one live connection per tab: follows the person's chats, rings with offers,
 * shows the queues. Survives drops: reconnects with backoff, continues each log after the last
 * seq it holds, and resends unacknowledged messages with the same client id (the server dedupes).
 * Ringing chats are shown from their offers, never followed. A chat that stops being this tab's
 * business (transferred away, taken by a colleague, closed after wrap-up) is unsubscribed once it
 * is off screen and forgotten, so other people's chats stop streaming here.
 */
export class StaffConnection {
  #state: ChatState = INITIAL_CHAT_STATE;
  readonly #listeners = new Set<() => void>();
  readonly #options: ConnectionOptions;
  #socket: SocketHandle | null = null;
  #isOpen = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #awaitingPong = false;
  #offOnline: (() => void) | undefined;
  /** The conversation open on screen: followed even when it is no longer the person's. */
  #viewing: string | null = null;
  /** Conversations unsubscribed from: frames still on their way for them are ignored. */
  readonly #released = new Set<string>();
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ChatState => this.#state;

  #set(next: ChatState): void {
    const settled = this.#release(next);
    if (settled === this.#state) return;
    this.#state = settled;
    for (const listener of this.#listeners) listener();
  }

  /** Unsubscribes from, and forgets, the conversations this tab no longer needs. */
  #release(state: ChatState): ChatState {
    let next = state;
    for (const conversationId of conversationsToRelease(state, this.#viewing)) {
      if (!this.#released.has(conversationId)) this.#write({ type: 'unsubscribe', conversationId });
      this.#released.add(conversationId);
      clearTimeout(this.#typingTimers.get(conversationId));
      this.#typingTimers.delete(conversationId);
      next = forgetConversation(next, conversationId);
    }
    return next;
  }

  /**
   * Whether a frame about a conversation still matters. After an unsubscribe the server may have
   * sent a few more; only the chat coming back to this person (transferred back) ends the release.
   */
  #isWanted(frame: StaffServerFrame): boolean {
    if (frame.type === 'conversation') {
      const { id, assigneeId } = frame.conversation;
      if (!this.#released.has(id)) return true;
      if (assigneeId === null || assigneeId !== this.#state.presence?.staffId) return false;
      this.#released.delete(id);
      return true;
    }
    if (frame.type === 'event' || frame.type === 'typing' || frame.type === 'seen') {
      return !this.#released.has(frame.conversationId);
    }
    return true;
  }

  get isStarted(): boolean {
    return this.#state.link !== 'idle';
  }

  start(): void {
    if (this.isStarted) return;
    this.#offOnline = this.#options.onOnline?.(() => this.#reconnectNow());
    this.#connect('connecting');
  }

  /** Closes the connection and forgets everything: the next person starts from nothing. */
  stop(): void {
    this.#offOnline?.();
    this.#offOnline = undefined;
    clearTimeout(this.#retryTimer);
    for (const timer of this.#typingTimers.values()) clearTimeout(timer);
    this.#typingTimers.clear();
    this.#dropSocket();
    this.#released.clear();
    this.#viewing = null;
    this.#attempt = 0;
    this.#set(INITIAL_CHAT_STATE);
  }

  #connect(link: 'connecting' | 'reconnecting'): void {
    this.#set({ ...this.#state, link });
    const socket = this.#options.createSocket(this.#options.url(), {
      onOpen: () => socket === this.#socket && this.#opened(),
      onMessage: (data) => socket === this.#socket && this.#received(data),
      onClose: () => socket === this.#socket && this.#closed(),
    });
    this.#socket = socket;
  }

  #dropSocket(): void {
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    this.#isOpen = false;
    socket?.close();
  }

  #opened(): void {
    this.#isOpen = true;
    this.#awaitingPong = false;
    this.#set({ ...this.#state, link: 'open' });
    // Released conversations are forgotten, so only chats this tab still needs are asked for.
    const subscriptions = Object.keys(this.#state.events)
      .slice(0, MAX_SUBSCRIPTIONS)
      .map((conversationId) => ({ conversationId, after: lastSeqHeld(this.#state, conversationId) }));
    this.#write({ type: 'hello', subscriptions });
    for (const send of this.#state.pending) {
      if (send.state !== 'sending') continue;
      const { conversationId, clientId, body, internal } = send;
      this.#write({ type: 'message.send', conversationId, clientId, body, internal });
    }
    this.#pingTimer = setInterval(() => this.#ping(), PING_MS);
  }

  #ping(): void {
    // No answer since the last ping: the connection is dead even if the browser has not noticed.
    if (this.#awaitingPong) return this.#closed();
    this.#awaitingPong = true;
    this.#write({ type: 'ping' });
  }

  #received(data: string): void {
    this.#awaitingPong = false;
    let frame: StaffServerFrame;
    try {
      frame = JSON.parse(data) as StaffServerFrame;
    } catch {
      return;
    }
    if (!this.#isWanted(frame)) return;
    if (frame.type === 'welcome') this.#attempt = 0;
    if (frame.type === 'error' && frame.code === 'unauthenticated') this.#options.onSessionEnded?.();
    if (frame.type === 'typing') this.#expireTyping(frame.conversationId, frame.isTyping);
    this.#set(applyFrame(this.#state, frame));
  }

  #closed(): void {
    if (!this.isStarted) return;
    this.#dropSocket();
    const delay = retryDelay(this.#attempt, (this.#options.random ?? Math.random)());
    this.#attempt += 1;
    this.#set({ ...this.#state, link: 'reconnecting', isGreeted: false, patronTyping: {} });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect('reconnecting'), delay);
  }

  #reconnectNow(): void {
    if (!this.isStarted || this.#socket !== null) return;
    clearTimeout(this.#retryTimer);
    this.#connect('reconnecting');
  }

  #expireTyping(conversationId: string, isTyping: boolean): void {
    clearTimeout(this.#typingTimers.get(conversationId));
    this.#typingTimers.delete(conversationId);
    if (!isTyping) return;
    const timer = setTimeout(() => {
      this.#typingTimers.delete(conversationId);
      this.#set({ ...this.#state, patronTyping: withoutKey(this.#state.patronTyping, conversationId) });
    }, TYPING_EXPIRES_MS);
    this.#typingTimers.set(conversationId, timer);
  }

  /** Sends now when open; otherwise the frame is dropped (only messages are kept for later). */
  #write(frame: StaffClientFrame): boolean {
    if (!this.#isOpen || !this.#socket) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  // ------------------------------------------------------------------ commands

  /** Sends a reply or an internal note; kept and resent until the server acknowledges it. Answers its client id. */
  sendMessage(conversationId: string, body: string, internal: boolean): string {
    const clientId = (this.#options.newClientId ?? randomClientId)();
    const pending = { clientId, conversationId, body, internal, state: 'sending' as const, error: null };
    this.#set({ ...this.#state, pending: [...this.#state.pending, pending] });
    this.#write({ type: 'message.send', conversationId, clientId, body, internal });
    return clientId;
  }

  /** Sends a failed message again, with the same client id. */
  retry(clientId: string): void {
    const send = this.#state.pending.find((p) => p.clientId === clientId);
    if (!send) return;
    const pending = this.#state.pending.map((p) =>
      p.clientId === clientId ? { ...p, state: 'sending' as const, error: null } : p,
    );
    this.#set({ ...this.#state, pending });
    const { conversationId, body, internal } = send;
    this.#write({ type: 'message.send', conversationId, clientId, body, internal });
  }

  discard(clientId: string): void {
    this.#set({ ...this.#state, pending: this.#state.pending.filter((p) => p.clientId !== clientId) });
  }

  accept(conversationId: string): boolean {
    this.#set({ ...this.#state, errors: withoutKey(this.#state.errors, conversationId) });
    return this.#write({ type: 'conversation.accept', conversationId });
  }

  decline(conversationId: string): boolean {
    return this.#write({ type: 'conversation.decline', conversationId });
  }

  /**
   * Says which conversation is open on screen (null: none). It stays followed while open, even
   * if it stops being the person's; once closed, a chat that is not theirs is released. Settled a
   * moment later, so a remount (close, then open the same chat again at once) releases nothing.
   */
  view(conversationId: string | null): void {
    this.#viewing = conversationId;
    queueMicrotask(() => this.#set(this.#state));
  }

  setTyping(conversationId: string, isTyping: boolean): void {
    this.#write({ type: 'typing', conversationId, isTyping });
  }

  /** Marks the log read up to seq: unread counts drop, and the patron's view can say "seen". */
  markRead(conversationId: string, seq: number): void {
    if (seq <= (this.#state.readUpTo[conversationId] ?? 0)) return;
    this.#set({ ...this.#state, readUpTo: { ...this.#state.readUpTo, [conversationId]: seq } });
    this.#write({ type: 'seen', conversationId, seq });
  }

  setPresence(status: PresenceStatus, deskIds: string[]): boolean {
    return this.#write({ type: 'presence.set', status, deskIds });
  }

  /** A conversation answered by a REST call, so the console need not wait for the socket. */
  putConversation(conversation: Conversation): void {
    if (!this.#isWanted({ type: 'conversation', conversation })) return;
    this.#set(upsertConversation(this.#state, conversation));
  }

  /** Presence answered by a REST call. */
  putPresence(presence: Presence): void {
    this.#set({ ...this.#state, presence });
  }

  clearError(conversationId: string): void {
    this.#set({ ...this.#state, errors: withoutKey(this.#state.errors, conversationId) });
  }

  /** Takes an ended chat out of "My chats" (and, once it is off screen, stops following it). */
  dismiss(conversationId: string): void {
    this.#set({ ...this.#state, dismissed: { ...this.#state.dismissed, [conversationId]: true } });
  }

  announce(text: string): void {
    this.#set(addNotice(this.#state, { kind: 'info', text }));
  }
}
