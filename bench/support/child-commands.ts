import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';

/** How late the event loop ran, in milliseconds, since the last `loop:reset`. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * The child's side of `Child.command()`: one command per stdin line, one answer per stdout line.
 * `profile:start` and `profile:stop <file>` record a V8 CPU profile of just the measured phases
 * (not start-up, seeding and pairing), written in the .cpuprofile format; `loop:reset` and
 * `loop:read` measure how long the event loop was held up (a synchronous SQLite call, a
 * checkpoint, garbage collection) during a phase. `extra` adds commands of the entry script.
 */
export function answerCommands(extra: Record<string, () => string> = {}): void {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = extra[line.trim()];
    const answer = command ? Promise.resolve().then(command) : run(loop, line.trim());
    void answer.then(
      (text) => process.stdout.write(`${text}\n`),
      (error: unknown) => process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
}

let session: Session | undefined;

async function run(loop: ReturnType<typeof monitorEventLoopDelay>, line: string): Promise<string> {
  if (line === 'loop:reset') {
    loop.reset();
    return 'ok';
  }
  if (line === 'loop:read') {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const delay: LoopDelay = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
    return JSON.stringify(delay);
  }
  if (line === 'profile:start') {
    // Connected only when asked: an inspector session must not weigh on unprofiled runs.
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return 'ok';
  }
  if (line.startsWith('profile:stop ') && session) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await fs.writeFile(line.slice('profile:stop '.length), JSON.stringify(profile));
    return 'ok';
  }
  return `unknown command ${line}`;
}
