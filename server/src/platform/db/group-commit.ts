import type { Db } from './database.ts';

interface Item {
  work: (trx: Db) => Promise<unknown>;
  /** Pieces with keys run in key order within a group (arrival order among equal keys). */
  key: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Most pieces of work one transaction takes by default; the rest wait for the next one. A chat
 * socket has one message in flight at a time, so this is about a thousand busy chats' worth:
 * the more messages share a commit, the more of the pages they change they share too.
 */
const MAX_GROUP = 1000;

export interface GroupCommitOptions {
  /** Most pieces in one transaction. */
  maxGroup?: number;
  /**
   * Groups committing at once. One suits SQLite (a single writer); a server database gains from
   * a few, since each group spends most of its time waiting on round trips.
   */
  concurrency?: number;
  /** Told the size of each group as it starts (for metrics). */
  onGroup?: (size: number) => void;
}

/**
 * Group commit: pieces of work that arrive together (in one turn of the event loop, or while
 * earlier groups are committing) run in one transaction, and each caller is answered once that
 * transaction has committed. A commit is the expensive part of a small write, so many writers
 * share one.
 *
 * Work must only touch the database through `trx` and must be safe to run again: when one piece
 * fails, the group is rolled back and every piece runs again in its own transaction, so the
 * failure is reported to its own caller alone. Give pieces that lock rows the key of what they
 * lock: groups committing at once then take their locks in the same order and cannot deadlock.
 */
/** Stable order by key (code units, not locale: it only has to be the same everywhere). */
function byKey(a: Item, b: Item): number {
  const x = a.key ?? '';
  const y = b.key ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

export class GroupCommit {
  #queue: Item[] = [];
  #scheduled = false;
  readonly #running = new Set<Promise<void>>();
  readonly #maxGroup: number;
  readonly #concurrency: number;
  readonly #onGroup: ((size: number) => void) | undefined;

  constructor(
    private readonly db: Db,
    options: GroupCommitOptions = {},
  ) {
    this.#maxGroup = options.maxGroup ?? MAX_GROUP;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#onGroup = options.onGroup;
  }

  run<T>(work: (trx: Db) => Promise<T>, key?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, key, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Waits until everything queued so far has been committed (or has failed). */
  async drain(): Promise<void> {
    while (this.#running.size > 0 || this.#queue.length > 0) {
      if (this.#running.size === 0) this.#flush();
      await Promise.all(this.#running);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running.size >= this.#concurrency || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#running.size >= this.#concurrency) return;
    const batch = this.#queue.splice(0, this.#maxGroup);
    if (batch.length === 0) return;
    this.#onGroup?.(batch.length);
    // Lock order only matters when groups commit side by side.
    if (this.#concurrency > 1) batch.sort(byKey);
    const running: Promise<void> = this.#commit(batch).finally(() => {
      this.#running.delete(running);
      this.#schedule();
    });
    this.#running.add(running);
    this.#schedule();
  }

  async #commit(batch: Item[]): Promise<void> {
    if (batch.length > 1) {
      let results: unknown[] | undefined;
      try {
        results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.work(trx));
          return out;
        });
      } catch {
        results = undefined;
      }
      if (results) {
        batch.forEach((item, i) => item.resolve(results[i]));
        return;
      }
    }
    for (const item of batch) {
      try {
        item.resolve(await this.db.transaction().execute((trx) => item.work(trx)));
      } catch (error) {
        item.reject(error);
      }
    }
  }
}
