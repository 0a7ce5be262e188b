import type { PatronServerFrame, StaffServerFrame } from '@branchline/protocol';
import type { WebSocket } from 'ws';
import type { ServerReady } from './server-entry.ts';
import { clientAddress, count, inBatches, openSocket, until, type DeliverySink, type Target } from './target.ts';

/**
 * Staff made available together while chats are created: each new chat rings only these, so a
 * larger group means more accept races (and more wasted work) per chat.
 */
const PAIRING_GROUP = Number(process.env.BENCH_PAIRING_GROUP ?? '2');
const SESSION_COOKIE = 'branchline_session';

interface Context {
  baseUrl: string;
  wsBase: string;
  origin: string;
  sink: DeliverySink;
  anomalies: Map<string, number>;
  closing: { value: boolean };
}

/**
 * One staff dashboard tab: follows its chats, and accepts offers (claim desk: everyone is rung
 * for every chat) while it is under its limit. Losing a race to a colleague is answered with an
 * error frame naming the conversation; the console then tries the next offer.
 */
/** The words before the client id at the end of every generated message (see phases.ts). */
const BODY_MARKER = ' bench ';

class StaffConsole {
  socket: WebSocket | undefined;
  staffId = '';
  maxChats = 0;
  status = 'offline';
  welcomed = false;
  conflicts = 0;
  readonly offers = new Set<string>();
  readonly pending = new Set<string>();
  readonly accepted = new Set<string>();

  constructor(private readonly ctx: Context) {}

  async connect(cookie: string, ip: string): Promise<void> {
    this.socket = await openSocket(`${this.ctx.wsBase}/api/staff/ws`, {
      headers: { cookie, origin: this.ctx.origin, 'x-forwarded-for': ip },
      onMessage: (text) => this.onFrame(JSON.parse(text) as StaffServerFrame),
      onClose: (code) => {
        if (!this.ctx.closing.value) count(this.ctx.anomalies, `staff socket closed (${code})`);
      },
    });
    this.send({ type: 'hello', subscriptions: [] });
  }

  setAvailable(deskId: string): void {
    this.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
  }

  private send(frame: object): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private onFrame(frame: StaffServerFrame): void {
    switch (frame.type) {
      case 'event': {
        const { event } = frame;
        if (event.type !== 'message' || event.author.kind !== 'patron') return;
        // Staff are not shown a patron's client id; the generator's body ends with it.
        const marker = event.body.lastIndexOf(BODY_MARKER);
        if (marker >= 0)
          this.ctx.sink.delivered(event.body.slice(marker + BODY_MARKER.length), event.body, performance.now());
        return;
      }
      case 'welcome':
        this.staffId = frame.presence.staffId;
        this.maxChats = frame.presence.maxChats;
        this.status = frame.presence.status;
        this.welcomed = true;
        return;
      case 'presence':
        this.status = frame.presence.status;
        return;
      case 'offer':
        this.offers.add(frame.conversation.id);
        return this.acceptWhileRoom();
      case 'offer.withdrawn':
        this.offers.delete(frame.conversationId);
        return;
      case 'conversation': {
        const { conversation } = frame;
        if (!this.pending.delete(conversation.id)) return;
        if (conversation.status === 'active' && conversation.assigneeId === this.staffId)
          this.accepted.add(conversation.id);
        return this.acceptWhileRoom();
      }
      case 'error':
        if (frame.conversationId !== undefined && this.pending.delete(frame.conversationId)) {
          this.conflicts += 1;
          return this.acceptWhileRoom();
        }
        count(this.ctx.anomalies, `staff error frame: ${frame.code}`);
        return;
      default:
        return;
    }
  }

  private acceptWhileRoom(): void {
    for (const conversationId of this.offers) {
      if (this.accepted.size + this.pending.size >= this.maxChats) return;
      this.offers.delete(conversationId);
      this.pending.add(conversationId);
      this.send({ type: 'conversation.accept', conversationId });
    }
  }
}

/** One patron's widget: a chat started over HTTP, then its WebSocket. */
class PatronLink {
  socket: WebSocket | undefined;
  welcomed = false;

  constructor(private readonly ctx: Context) {}

  async start(index: number, deskSlug: string): Promise<void> {
    const ip = clientAddress(18, index);
    const response = await fetch(`${this.ctx.baseUrl}/api/chat/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.ctx.origin, 'x-forwarded-for': ip },
      body: JSON.stringify({
        desk: deskSlug,
        clientId: `open-${String(index).padStart(6, '0')}`,
        message: 'Hello! Do you have any books about benchmarking?',
      }),
    });
    if (response.status !== 201) throw new Error(`starting chat ${index}: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    this.socket = await openSocket(`${this.ctx.wsBase}/api/chat/ws`, {
      headers: { origin: this.ctx.origin, 'x-forwarded-for': ip },
      onMessage: (text) => this.onFrame(JSON.parse(text) as PatronServerFrame),
      onClose: (code) => {
        if (!this.ctx.closing.value) count(this.ctx.anomalies, `patron socket closed (${code})`);
      },
    });
    this.socket.send(JSON.stringify({ type: 'hello', token, after: 0 }));
  }

  private onFrame(frame: PatronServerFrame): void {
    if (frame.type === 'ack') this.ctx.sink.acked(frame.clientId);
    else if (frame.type === 'welcome') this.welcomed = true;
    else if (frame.type === 'error') {
      if (frame.clientId !== undefined) this.ctx.sink.refused(frame.clientId, frame.code);
      else count(this.ctx.anomalies, `patron error frame: ${frame.code}`);
    }
  }
}

async function signIn(ctx: Context, email: string, password: string, ip: string): Promise<string> {
  const response = await fetch(`${ctx.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ctx.origin, 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email}: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error(`sign-in of ${email} set no session cookie`);
  return cookie.split(';')[0] ?? '';
}

const sum = (consoles: StaffConsole[], f: (c: StaffConsole) => number) => consoles.reduce((n, c) => n + f(c), 0);

/**
 * Signs in enough staff, connects their consoles, then pairs `pairs` patrons with them: a group
 * of staff goes available, chats are started over HTTP until the group is full, the consoles
 * accept the offers, and the next group follows. Answers once every chat is active.
 */
export async function connectBranchline(
  ready: ServerReady,
  options: { pairs: number; chatsPerStaff: number; password: string },
  sink: DeliverySink,
  log: (line: string) => void,
): Promise<Target & { conflicts: () => number }> {
  const ctx: Context = {
    baseUrl: ready.baseUrl,
    wsBase: ready.baseUrl.replace(/^http/, 'ws'),
    origin: new URL(ready.baseUrl).origin,
    sink,
    anomalies: new Map(),
    closing: { value: false },
  };
  const staffNeeded = Math.ceil(options.pairs / options.chatsPerStaff);
  const emails = ready.staffEmails.slice(0, staffNeeded);
  if (emails.length < staffNeeded) throw new Error(`need ${staffNeeded} staff, the server made ${emails.length}`);

  const cookies = await inBatches(emails, 8, (email, i) => signIn(ctx, email, options.password, clientAddress(19, i)));
  const consoles = await inBatches(cookies, 16, async (cookie, i) => {
    const staff = new StaffConsole(ctx);
    await staff.connect(cookie, clientAddress(19, i));
    return staff;
  });
  await until(
    () => consoles.every((c) => c.welcomed),
    30_000,
    () => 'staff welcome frames',
  );
  log(`  ${consoles.length} staff signed in and connected`);

  const patrons: PatronLink[] = [];
  let reported = 0;
  for (let first = 0; patrons.length < options.pairs; first += PAIRING_GROUP) {
    const group = consoles.slice(first, first + PAIRING_GROUP);
    if (group.length === 0) throw new Error(`ran out of staff with ${patrons.length} chats paired`);
    for (const staff of group) staff.setAvailable(ready.deskId);
    await until(
      () => group.every((c) => c.status === 'available'),
      15_000,
      () => 'staff presence available',
    );
    const want = Math.min(
      options.pairs - patrons.length,
      sum(group, (c) => c.maxChats - c.accepted.size),
    );
    const acceptedBefore = sum(group, (c) => c.accepted.size);
    const base = patrons.length;
    const started = await inBatches(Array.from({ length: want }), 20, async (_, j) => {
      const patron = new PatronLink(ctx);
      await patron.start(base + j, ready.deskSlug);
      return patron;
    });
    patrons.push(...started);
    await until(
      () => sum(group, (c) => c.accepted.size) - acceptedBefore >= want,
      60_000,
      () =>
        `accepting chats ${base}…${base + want - 1}: ${sum(group, (c) => c.accepted.size) - acceptedBefore} of ${want}`,
    );
    if (patrons.length - reported >= 250 || patrons.length === options.pairs) {
      reported = patrons.length;
      log(`  ${patrons.length}/${options.pairs} chats active`);
    }
  }
  await until(
    () => patrons.every((p) => p.welcomed),
    30_000,
    () => 'patron welcome frames',
  );
  const active = sum(consoles, (c) => c.accepted.size);
  if (active !== options.pairs) throw new Error(`${active} chats active, expected ${options.pairs}`);

  return {
    name: 'Branchline',
    pairs: patrons.length,
    acks: true,
    send(pair, clientId, body) {
      patrons[pair]?.socket?.send(JSON.stringify({ type: 'message.send', clientId, body }));
    },
    anomalies: () => ctx.anomalies,
    conflicts: () => sum(consoles, (c) => c.conflicts),
    async close() {
      ctx.closing.value = true;
      for (const patron of patrons) patron.socket?.close();
      for (const staff of consoles) staff.socket?.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
  };
}
