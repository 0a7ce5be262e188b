/**
 * A sliding-window limit on messages per conversation, kept in this process: enough to stop a
 * flooding patron; several instances each apply it to the connections they hold.
 */
export class FloodGuard {
  readonly #windowMs: number;
  readonly #max: number;
  readonly #hits = new Map<string, number[]>();

  constructor(max: number, windowMs: number) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Records a hit for `key` at `now`; answers false when the limit is exceeded. */
  allow(key: string, now: number): boolean {
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    if (recent.length >= this.#max) {
      this.#hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 10_000) this.#prune(now);
    return true;
  }

  /** Takes back the last hit for `key`: it was a resend of something already stored, which costs nothing. */
  forgive(key: string): void {
    this.#hits.get(key)?.pop();
  }

  #prune(now: number): void {
    for (const [key, times] of this.#hits) if (times.every((t) => now - t >= this.#windowMs)) this.#hits.delete(key);
  }
}
