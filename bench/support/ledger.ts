import type { DeliverySink } from './target.ts';

const PREFIX_LENGTH = 5;
const INDEX_DIGITS = 7;

/**
 * Everything known about the messages of one phase, indexed by their number in the phase. A
 * message's clientId is `<phase prefix><index in base 36>`; its body starts with `t=<send time>`
 * (milliseconds on this process's performance clock), from which the latency is computed, and
 * ends with ` bench <clientId>`: staff are not shown a patron's client id, so the body tells.
 */
export class PhaseLog {
  sent = 0;
  delivered = 0;
  duplicates = 0;
  acked = 0;
  refused = 0;
  malformed = 0;
  firstSendAt = 0;
  lastDeliveryAt = 0;
  readonly refusedCodes = new Map<string, number>();
  /** Latency of the first delivery of each message; NaN until delivered. */
  readonly latency: Float64Array;
  readonly deliveries: Uint16Array;
  readonly acks: Uint8Array;

  constructor(
    readonly prefix: string,
    readonly capacity: number,
  ) {
    this.latency = new Float64Array(capacity).fill(Number.NaN);
    this.deliveries = new Uint16Array(capacity);
    this.acks = new Uint8Array(capacity);
  }

  clientId(index: number): string {
    return this.prefix + index.toString(36).padStart(INDEX_DIGITS, '0');
  }

  /** Every sent message has been delivered or refused. */
  isSettled(): boolean {
    return this.delivered + this.refused >= this.sent;
  }

  /** Latencies of the messages delivered so far, sorted ascending. */
  sortedLatencies(): Float64Array {
    const out = new Float64Array(this.delivered);
    let n = 0;
    for (const value of this.latency) if (!Number.isNaN(value) && n < out.length) out[n++] = value;
    return out.subarray(0, n).sort();
  }
}

/** Routes what the sockets report to the phase each message belongs to. */
export class Ledger implements DeliverySink {
  readonly #logs = new Map<string, PhaseLog>();
  #opened = 0;

  open(capacity: number): PhaseLog {
    this.#opened += 1;
    const prefix = `b${String(this.#opened).padStart(PREFIX_LENGTH - 2, '0')}-`;
    const log = new PhaseLog(prefix, capacity);
    this.#logs.set(prefix, log);
    return log;
  }

  logs(): PhaseLog[] {
    return [...this.#logs.values()];
  }

  #find(clientId: string): { log: PhaseLog; index: number } | undefined {
    const log = this.#logs.get(clientId.slice(0, PREFIX_LENGTH));
    if (!log) return undefined; // e.g. the chat's opening message
    const index = Number.parseInt(clientId.slice(PREFIX_LENGTH), 36);
    if (!(index >= 0 && index < log.capacity)) {
      log.malformed += 1;
      return undefined;
    }
    return { log, index };
  }

  delivered(clientId: string, body: string, at: number): void {
    const found = this.#find(clientId);
    if (!found) return;
    const { log, index } = found;
    const deliveries = log.deliveries[index] ?? 0;
    log.deliveries[index] = deliveries + 1;
    if (deliveries > 0) {
      log.duplicates += 1;
      return;
    }
    const sentAt = body.startsWith('t=') ? Number(body.slice(2, body.indexOf(' '))) : Number.NaN;
    if (Number.isNaN(sentAt)) log.malformed += 1;
    log.latency[index] = at - sentAt;
    log.delivered += 1;
    log.lastDeliveryAt = Math.max(log.lastDeliveryAt, at);
  }

  acked(clientId: string): void {
    const found = this.#find(clientId);
    if (!found || found.log.acks[found.index]) return;
    found.log.acks[found.index] = 1;
    found.log.acked += 1;
  }

  refused(clientId: string, code: string): void {
    const found = this.#find(clientId);
    if (!found) return;
    found.log.refused += 1;
    found.log.refusedCodes.set(code, (found.log.refusedCodes.get(code) ?? 0) + 1);
  }
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
