import type { PatronClientFrame, PatronConversation, PatronEvent, PatronServerFrame } from '@branchline/protocol';
import { ENDED_STATUSES, newClientId } from './contract.ts';
import type { OutboxItem, SavedChat } from './store.ts';
import { addEvent, applyAck, unacked } from './timeline.ts';
import { HttpFallback } from './polling.ts';
import { ApiError, type ChatTransport, type SocketLink, Timers, backoffDelay, retryAfter } from './transport.ts';

export type LinkState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';
export type Via = 'socket' | 'http';

export interface ConnectionListener {
  /** Anything the view shows changed (also the moment to persist). */
  changed(): void;
  /** The server refused something; the chat goes on. */
  problem(code: string, clientId: string | null): void;
  /** The chat cannot go on: the token is no longer accepted, or the patron is blocked. */
  terminal(reason: 'expired' | 'blocked'): void;
}

export interface ConnectionOptions {
  random?: () => number;
  now?: () => number;
}

const MINUTE = 60_000;
const HEALTHY_MS = 30_000;
const PING_EVERY_MS = 25_000;
const PONG_WAIT_MS = 8_000;
/** A socket not welcomed this long after it was made has failed, like one that closed. */
const WELCOME_WAIT_MS = 15_000;
const ACK_WAIT_MS = 5_000;
const TYPING_EXPIRES_MS = 10_000;
const RATE_LIMIT_WAIT_MS = 5_000;
const WIND_DOWN_MS = 5_000;

/** An error frame, or its HTTP equivalent, for a one-off request. */
export interface RequestFailure {
  code: string;
  message: string;
}

/**
 * The live link of one chat: a WebSocket, or long polling when sockets keep failing. Keeps every
 * message until the server acknowledges it, re-sends after reconnecting (the server dedupes by
 * clientId), dedupes events by seq and resumes from the highest seq seen.
 */
export class ChatConnection {
  link: LinkState = 'idle';
  via: Via = 'socket';
  /** Display name of the staff member typing, if any. */
  typing: string | null = null;

  private socket: SocketLink | null = null;
  private generation = 0;
  private welcomed = false;
  private welcomedAt = 0;
  private everOnline = false;
  private failures: number[] = [];
  private attempt = 0;
  private probeAttempt = 0;
  private awaitingPong = false;
  private stopped = true;
  private online = true;
  private seenSent = 0;
  /** Sent on the current socket and not acknowledged yet: not sent again on it. */
  private readonly sentOnSocket = new Set<string>();
  private readonly timers = new Timers();
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly http: HttpFallback;

  constructor(
    private readonly transport: ChatTransport,
    readonly chat: SavedChat,
    private readonly listener: ConnectionListener,
    options: ConnectionOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => Date.now());
    this.http = new HttpFallback(
      transport,
      {
        chat,
        isActive: () => !this.stopped && this.via === 'http',
        handle: (frame) => this.handleFrame(frame),
        reachable: () => {
          this.everOnline = true;
          this.setLink('online');
        },
        unreachable: (error) => {
          if (this.stopped || this.isTerminal(error)) return true;
          this.setLink(this.online ? 'reconnecting' : 'offline');
          return false;
        },
        postFailed: (error, clientId) => {
          if (this.isTerminal(error)) return 'wait';
          if (isRefusal(error)) {
            this.refuseMessage(clientId, error.code);
            return 'next';
          }
          this.timers.set('flush', retryAfter(error) ?? backoffDelay(this.attempt++, this.random), () => this.flush());
          if (error instanceof ApiError && error.code === 'rate_limited') this.listener.problem('rate_limited', null);
          return 'wait';
        },
      },
      this.random,
      this.now,
    );
  }

  get isEnded(): boolean {
    return this.chat.conversation !== null && ENDED_STATUSES.includes(this.chat.conversation.status);
  }

  /** Connects when there is a token; before that, sends wait in the outbox. */
  start(): void {
    this.stopped = false;
    if (this.chat.token !== null) this.connectSocket();
  }

  /** The chat was just created over HTTP: take its token and first events, then connect. */
  attach(
    token: string,
    conversation: PatronConversation,
    events: PatronEvent[],
    startClientId: string,
    connect = true,
  ): void {
    this.chat.token = token;
    this.chat.conversation = conversation;
    for (const event of events) addEvent(this.chat, event);
    const first = this.chat.outbox.find((item) => item.clientId === startClientId);
    // Accepted by the start request even if its event did not come back with it.
    if (first) first.seq = 0;
    this.listener.changed();
    if (connect) this.start();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearAll();
    this.http.stop();
    this.dropSocket();
    this.setLink('idle');
  }

  /** Queues a message; it shows as sending at once and goes out as soon as there is a link. */
  send(body: string): OutboxItem {
    const item: OutboxItem = {
      clientId: newClientId(),
      body,
      createdAt: new Date(this.now()).toISOString(),
      seq: null,
      error: null,
    };
    this.chat.outbox.push(item);
    this.listener.changed();
    this.flush();
    return item;
  }

  retry(clientId: string): void {
    const item = this.chat.outbox.find((i) => i.clientId === clientId);
    // Nothing more reaches an ended chat: a message it missed stays "not sent".
    if (!item || this.isEnded) return;
    item.error = null;
    this.sentOnSocket.delete(clientId);
    this.listener.changed();
    this.flush();
  }

  /** Drops a message that never reached the server (used when its text goes back to the editor). */
  discardUnsent(): OutboxItem[] {
    const gone = this.chat.outbox.filter((item) => item.seq === null);
    this.chat.outbox = this.chat.outbox.filter((item) => item.seq !== null);
    return gone;
  }

  typingChanged(isTyping: boolean): void {
    this.signal({ type: 'typing', isTyping });
  }

  /** The patron has the conversation in view: tell staff, and remember for the unread count. */
  markRead(): void {
    const seq = this.chat.lastSeq;
    if (seq > this.chat.readSeq) {
      this.chat.readSeq = seq;
      this.listener.changed();
    }
    if (seq > this.seenSent && this.isLinked()) {
      this.seenSent = seq;
      this.signal({ type: 'seen', seq });
    }
  }

  /** A one-off action (identify, transcript, rating, end) over HTTP so its outcome is certain. */
  async request(frame: PatronClientFrame): Promise<RequestFailure | null> {
    const token = this.chat.token;
    if (token === null) return { code: 'unauthenticated', message: 'No chat yet' };
    try {
      const frames = await this.transport.postFrame(token, frame);
      let failure: RequestFailure | null = null;
      for (const reply of frames) {
        if (reply.type === 'error') failure = { code: reply.code, message: reply.message };
        else this.handleFrame(reply);
      }
      return failure;
    } catch (error) {
      return error instanceof ApiError
        ? { code: error.code, message: error.message }
        : { code: 'network', message: '' };
    }
  }

  /** The browser says the network came or went. */
  setNetwork(online: boolean): void {
    this.online = online;
    if (!online) {
      if (!this.welcomed) this.setLink('offline');
      return;
    }
    this.reconnectNow();
  }

  /** The page became visible again: check a quiet socket, or reconnect without waiting. */
  wake(): void {
    if (this.welcomed) this.ping();
    else this.reconnectNow();
  }

  reconnectNow(): void {
    if (this.stopped || this.chat.token === null) return;
    this.attempt = 0;
    if (this.via === 'http') {
      this.probeAttempt = 0;
      this.http.stop();
      this.http.start();
      if (!this.socket) this.connectSocket();
    } else if (!this.welcomed) {
      this.connectSocket();
    }
  }

  // ---- socket -------------------------------------------------------------------------------

  private connectSocket(): void {
    this.timers.clear('reconnect');
    if (this.stopped || this.chat.token === null) return;
    this.dropSocket();
    const generation = ++this.generation;
    const token = this.chat.token;
    if (this.via === 'socket') this.setLink(this.everOnline ? 'reconnecting' : 'connecting');
    let link: SocketLink | null = null;
    const current = (): boolean => generation === this.generation;
    try {
      link = this.transport.openSocket({
        onOpen: () => {
          if (current()) link?.send({ type: 'hello', token, after: this.chat.lastSeq });
        },
        onFrame: (frame) => {
          if (current()) this.onSocketFrame(frame);
        },
        onClose: () => {
          if (current()) this.onSocketClose();
        },
      });
    } catch {
      this.onSocketClose();
      return;
    }
    if (!current()) {
      link.close();
      return;
    }
    this.socket = link;
    // From the start, not from the open: a socket a filtering proxy holds half-open never opens.
    this.timers.set('welcome', WELCOME_WAIT_MS, () => {
      if (current() && !this.welcomed) this.onSocketClose(true);
    });
  }

  private onSocketFrame(frame: PatronServerFrame): void {
    this.awaitingPong = false;
    this.timers.clear('pong');
    if (frame.type === 'welcome') {
      this.timers.clear('welcome');
      this.welcomed = true;
      this.welcomedAt = this.now();
      this.everOnline = true;
      if (this.via === 'http') {
        this.via = 'socket';
        this.http.stop();
        this.timers.clear('probe');
        this.probeAttempt = 0;
      }
      this.seenSent = 0;
      this.setLink('online');
      this.timers.set('ping', PING_EVERY_MS, () => this.ping());
      this.handleFrame(frame);
      this.flush();
      return;
    }
    if (this.welcomed) return this.handleFrame(frame);
    // Before the welcome only an error (about the hello) means anything. One that does not end
    // the chat (the server failed, or is busy) fails this socket: let it go and try again.
    if (frame.type !== 'error') return;
    this.handleFrame(frame);
    if (!this.stopped) this.onSocketClose();
  }

  /** `hung`: the socket was not welcomed in time, rather than closed. */
  private onSocketClose(hung = false): void {
    const wasWelcomed = this.welcomed;
    const healthy = wasWelcomed && this.now() - this.welcomedAt >= HEALTHY_MS;
    this.dropSocket();
    if (this.stopped) return;
    if (this.via === 'http') {
      this.scheduleProbe();
      return;
    }
    if (!this.online) {
      this.setLink('offline');
      return;
    }
    const now = this.now();
    if (healthy) {
      this.failures = [];
      this.attempt = 0;
    } else {
      this.failures = this.failures.filter((at) => now - at < MINUTE);
      this.failures.push(now);
    }
    // A socket that hangs, where none has worked yet on this page, is what a network filtering
    // sockets does: waiting for three would keep a new patron silent for most of a minute.
    if (this.failures.length >= 3 || (hung && !this.everOnline)) {
      this.enterFallback();
      return;
    }
    this.setLink(this.everOnline ? 'reconnecting' : 'connecting');
    this.timers.set('reconnect', backoffDelay(this.attempt++, this.random), () => this.connectSocket());
  }

  /** Forgets the current socket; its late events are ignored. */
  private dropSocket(): void {
    const socket = this.socket;
    this.generation++;
    this.socket = null;
    this.welcomed = false;
    this.awaitingPong = false;
    this.sentOnSocket.clear();
    this.timers.clear('ping');
    this.timers.clear('pong');
    this.timers.clear('ack');
    this.timers.clear('welcome');
    socket?.close();
  }

  private ping(): void {
    if (!this.socket || !this.welcomed) return;
    this.timers.set('ping', PING_EVERY_MS, () => this.ping());
    if (this.awaitingPong) return;
    this.awaitingPong = true;
    this.socket.send({ type: 'ping' });
    this.timers.set('pong', PONG_WAIT_MS, () => {
      // No answer: the socket is dead even if the browser has not noticed.
      if (this.awaitingPong) this.onSocketClose();
    });
  }

  // ---- HTTP fallback ------------------------------------------------------------------------

  private enterFallback(): void {
    this.via = 'http';
    this.setLink(this.everOnline ? 'reconnecting' : 'connecting');
    this.http.start();
    this.flush();
    this.scheduleProbe();
  }

  /** Keep trying the socket now and then while on HTTP: 1 min, 2 min, 4 min, then every 5 min. */
  private scheduleProbe(): void {
    const delay = Math.min(5 * MINUTE, MINUTE * 2 ** this.probeAttempt++);
    this.timers.set('probe', delay, () => this.connectSocket());
  }

  // ---- sending ------------------------------------------------------------------------------

  private isLinked(): boolean {
    return this.via === 'socket' ? this.welcomed : this.link === 'online';
  }

  /** Sends every message still waiting for an ack, oldest first. */
  private flush(): void {
    if (this.chat.token === null || this.stopped) return;
    if (this.via === 'socket') {
      if (!this.socket || !this.welcomed) return;
      const waiting = unacked(this.chat).filter((item) => !this.sentOnSocket.has(item.clientId));
      for (const item of waiting) {
        this.sentOnSocket.add(item.clientId);
        this.socket.send({ type: 'message.send', clientId: item.clientId, body: item.body });
      }
      // No ack soon: check the socket is alive (a dead one is replaced and everything re-sent).
      if (waiting.length > 0) this.timers.set('ack', ACK_WAIT_MS, () => this.ping());
      return;
    }
    void this.http.flush();
  }

  /** Typing and seen: worth sending only while linked, never worth retrying. */
  private signal(frame: PatronClientFrame): void {
    if (this.chat.token === null || this.isEnded) return;
    if (this.via === 'socket') {
      if (this.socket && this.welcomed) this.socket.send(frame);
    } else if (this.link === 'online') {
      this.transport.postFrame(this.chat.token, frame).then(
        (frames) => frames.forEach((f) => this.handleFrame(f)),
        () => undefined,
      );
    }
  }

  // ---- frames -------------------------------------------------------------------------------

  private handleFrame(frame: PatronServerFrame): void {
    switch (frame.type) {
      case 'welcome':
      case 'state':
        this.chat.conversation = frame.conversation;
        if (this.isEnded) this.windDown();
        else this.timers.clear('wind-down');
        break;
      case 'event':
        if (!addEvent(this.chat, frame.event)) return;
        if (frame.event.from === 'staff' && frame.event.displayName === this.typing) this.typing = null;
        break;
      case 'ack': {
        // The socket's ack may carry the message's own event instead of sending it again.
        const added = frame.event !== undefined && addEvent(this.chat, frame.event);
        if (!applyAck(this.chat, frame.clientId, frame.seq) && !added) return;
        if (unacked(this.chat).length === 0) this.timers.clear('ack');
        break;
      }
      case 'typing':
        this.typing = frame.isTyping ? frame.displayName : null;
        if (frame.isTyping)
          this.timers.set('typing', TYPING_EXPIRES_MS, () => this.handleFrame({ ...frame, isTyping: false }));
        else this.timers.clear('typing');
        break;
      case 'seen':
        if (frame.seq <= this.chat.seenSeq) return;
        this.chat.seenSeq = frame.seq;
        break;
      case 'pong':
        return;
      case 'error':
        this.handleError(frame.code, frame.clientId ?? null);
        return;
    }
    this.listener.changed();
  }

  private handleError(code: string, clientId: string | null): void {
    // The conversation itself is gone (over HTTP the same answer is a 404): the chat has ended,
    // whether or not the error names the message that found out.
    if (code === 'not_found' || (clientId === null && code === 'unauthenticated')) return this.end('expired');
    if (clientId === null && code === 'forbidden') return this.end('blocked');
    const item = clientId === null ? undefined : this.chat.outbox.find((i) => i.clientId === clientId);
    if (item) {
      this.sentOnSocket.delete(item.clientId);
      if (code === 'rate_limited') this.timers.set('flush', RATE_LIMIT_WAIT_MS, () => this.flush());
      else if (code === 'internal' || code === 'service_unavailable')
        this.timers.set('flush', backoffDelay(this.attempt++, this.random), () => this.flush());
      else item.error = code;
      this.listener.changed();
    }
    this.listener.problem(code, clientId);
  }

  /** The server will never take this message as it is: it shows as not sent, with a retry. */
  private refuseMessage(clientId: string, code: string): void {
    const item = this.chat.outbox.find((i) => i.clientId === clientId);
    if (item) item.error = code;
    this.listener.changed();
    this.listener.problem(code, clientId);
  }

  private isTerminal(error: unknown): boolean {
    if (!(error instanceof ApiError)) return false;
    if (error.status === 401 || error.code === 'unauthenticated' || error.status === 404) this.end('expired');
    else if (error.status === 403) this.end('blocked');
    else return false;
    return true;
  }

  /** The chat has ended: take the last events, then let the socket go (rating and transcript go over HTTP). */
  private windDown(): void {
    this.typing = null;
    this.timers.set('wind-down', WIND_DOWN_MS, () => {
      // What the server never took is not going to be sent now: say so rather than "sending".
      for (const item of unacked(this.chat)) item.error = 'conflict';
      this.stop();
      this.listener.changed();
    });
  }

  private end(reason: 'expired' | 'blocked'): void {
    this.stop();
    this.listener.terminal(reason);
  }

  private setLink(link: LinkState): void {
    if (this.link === link) return;
    this.link = link;
    this.listener.changed();
  }
}

/**
 * A 4xx that retrying cannot change: the request itself was refused (malformed, too large, the
 * chat closed). Not a timeout or rate limit, and not the token or block answers, which end the chat.
 */
function isRefusal(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 404, 408, 425, 429].includes(error.status)
  );
}
