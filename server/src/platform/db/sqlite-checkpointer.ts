import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the write-ahead log back into the database file. */
const CHECKPOINT_EVERY_MS = 200;

/**
 * The worker's code, run with `eval` so it needs no build step or TypeScript loader: its own
 * connection to the database, checkpointing without waiting for anyone (PASSIVE). In WAL mode a
 * second connection may do this while the server writes.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Busy or locked: the next round tries again.
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage('stopped');
});
`;

/**
 * Checkpoints a SQLite database from a worker thread. A checkpoint writes pages back to the
 * database file; run by the connection that commits, it stalls the event loop for tens of
 * milliseconds every few thousand messages, which every chat then waits out. From a worker it
 * runs on the other core, a little at a time.
 */
export function startCheckpointer(file: string): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
  worker.unref();
  // A checkpointer that cannot run leaves the work to the connection's own automatic checkpoints.
  worker.on('error', () => undefined);
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          void worker.terminate().finally(resolve);
        };
        worker.once('message', done);
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(done, 1000).unref();
      });
      return stopped;
    },
  };
}
