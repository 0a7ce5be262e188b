import { WebSocket } from 'ws';

/** Where the load generator's sockets report what they saw; see Ledger. */
export interface DeliverySink {
  /** A staff socket received a patron message. */
  delivered(clientId: string, body: string, at: number): void;
  /** The patron's socket was told the message was stored. */
  acked(clientId: string): void;
  /** The server refused the message (an error frame naming its clientId). */
  refused(clientId: string, code: string): void;
}

/** N connected patron↔staff pairs, ready to carry patron messages. */
export interface Target {
  readonly name: string;
  readonly pairs: number;
  /** Whether the server acknowledges each patron message (the relay does not). */
  readonly acks: boolean;
  send(pair: number, clientId: string, body: string): void;
  /** Unexpected frames and socket problems seen so far, by kind. */
  anomalies(): Map<string, number>;
  close(): Promise<void>;
}

export function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export interface OpenOptions {
  headers?: Record<string, string>;
  onMessage: (text: string) => void;
  onClose: (code: number) => void;
  timeoutMs?: number;
}

/** Opens a WebSocket (no compression, like a browser talking to our server) and resolves once open. */
export function openSocket(url: string, options: OpenOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: options.headers,
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 15_000,
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) options.onMessage(String(data));
    });
    socket.once('open', () => {
      socket.on('close', (code) => options.onClose(code));
      resolve(socket);
    });
    socket.once('error', reject);
    socket.on('error', () => undefined);
  });
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure rejects. */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Resolves when `check()` holds; rejects with `what` after `timeoutMs`. Polls every 20 ms. */
export async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A documentation-range (RFC 2544 benchmarking) address per simulated client, for X-Forwarded-For. */
export function clientAddress(block: 18 | 19, index: number): string {
  return `198.${block}.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`;
}
