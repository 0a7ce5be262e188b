const REPEAT_MS = 3000;
const IDLE_MS = 5000;

/**
 * Turns keystrokes into typing frames: `true` at most every 3 s while the patron types,
 * `false` after 5 s without a keystroke or when the message is sent or cleared.
 */
export class TypingSignal {
  private isTyping = false;
  private lastSentAt = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (isTyping: boolean) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  input(hasText: boolean): void {
    if (!hasText) return this.stop();
    const now = this.now();
    if (!this.isTyping || now - this.lastSentAt >= REPEAT_MS) {
      this.isTyping = true;
      this.lastSentAt = now;
      this.send(true);
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), IDLE_MS);
  }

  stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    if (!this.isTyping) return;
    this.isTyping = false;
    this.send(false);
  }
}
