import type { Db } from './database.ts';

interface Item {
  work: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Most pieces of work one transaction takes by default; the rest wait for the next one. A chat
 * socket has one message in flight at a time, so this is about a thousand busy chats' worth:
 * the more messages share a commit, the more of the pages they change they share too.
 */
const MAX_GROUP = 1000;

/**
 * Group commit: pieces of work that arrive together (in one turn of the event loop, or while
 * the previous group is committing) run in one transaction, and each caller is answered once
 * that transaction has committed. A commit is the expensive part of a small write, so many
 * writers share one.
 *
 * Work must only touch the database through `trx` and must be safe to run again: when one piece
 * fails, the group is rolled back and every piece runs again in its own transaction, so the
 * failure is reported to its own caller alone.
 */
export class GroupCommit {
  #queue: Item[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly maxGroup = MAX_GROUP,
  ) {}

  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Waits until everything queued so far has been committed (or has failed). */
  async drain(): Promise<void> {
    while (this.#running || this.#queue.length > 0) {
      if (!this.#running) this.#flush();
      await this.#running;
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#running) this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#queue.splice(0, this.maxGroup);
    if (batch.length === 0) return;
    this.#running = this.#commit(batch).finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0) this.#schedule();
    });
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
