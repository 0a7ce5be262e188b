import WebSocket from 'ws';

type Frame = { type: string } & Record<string, unknown>;

/**
 * A WebSocket client for protocol tests: keeps every frame received and waits for the next one
 * matching a predicate, failing with what it did see when it does not come in time.
 */
export class TestSocket {
  readonly frames: Frame[] = [];
  #waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }> = [];
  #cursor = 0;
  closed: Promise<{ code: number }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (w.test(frame)) {
          w.resolve(frame);
          return false;
        }
        return true;
      });
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve({ code })));
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = new WebSocket(url, { headers });
    const client = new TestSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  /** Calls `listener` with every frame received from now on (for clients that act on what they get). */
  onFrame(listener: (frame: Frame) => void): void {
    this.socket.on('message', (raw) => listener(JSON.parse(raw.toString()) as Frame));
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken) that matches; earlier non-matching ones are skipped. */
  next(test: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    for (let i = this.#cursor; i < this.frames.length; i++) {
      const frame = this.frames[i]!;
      if (test(frame)) {
        this.#cursor = i + 1;
        return Promise.resolve(frame);
      }
    }
    return new Promise((resolve, reject) => {
      const from = this.frames.length;
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms; saw: ${JSON.stringify(this.frames.slice(-8))}`));
      }, timeoutMs);
      const done = (frame: Frame) => {
        clearTimeout(timer);
        this.#cursor = this.frames.indexOf(frame) + 1;
        resolve(frame);
      };
      this.#waiters.push({ test, resolve: done, from });
    });
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs);
  }

  /** Frames received from now on within `ms` that match (for "nothing more came" checks). */
  async collect(ms: number, test: (f: Frame) => boolean = () => true): Promise<Frame[]> {
    const start = this.frames.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.slice(start).filter(test);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}
