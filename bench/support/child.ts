import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

const READY_PREFIX = 'BENCH_READY ';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const CLOCK_TICKS_PER_SECOND = 100;

/** A server under test, in its own process so it does not share the load generator's event loop. */
export interface Child<Ready> {
  pid: number;
  ready: Ready;
  /** Sends one command line to the child (e.g. `profile:start`); answers the child's reply line. */
  command(line: string, timeoutMs?: number): Promise<string>;
  /** CPU seconds (user + system) the child has used so far, from /proc. */
  cpuSeconds(): number;
  /** Seconds the child's main thread has spent runnable but waiting for a CPU, from /proc. */
  cpuWaitSeconds(): number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port and releases it for the child to take. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Starts `node --import tsx <script>` from the repository root and waits for the line
 * `BENCH_READY <json>` on its stdout. Later stdout lines answer `command()`s, one per command.
 */
export async function startChild<Ready>(script: string, env: NodeJS.ProcessEnv): Promise<Child<Ready>> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: Array<(line: string) => void> = [];
  let onReady: ((line: string) => void) | undefined;
  lines.on('line', (line) => {
    if (line.startsWith(READY_PREFIX) && onReady) onReady(line.slice(READY_PREFIX.length));
    else waiting.shift()?.(line);
  });

  const readyJson = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time\n${stderr}`)), READY_TIMEOUT_MS);
    onReady = (json) => {
      clearTimeout(timer);
      resolve(json);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${String(code)} before it was ready\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    await terminate(child, exited);
    throw error;
  });
  const pid = child.pid ?? 0;

  return {
    pid,
    ready: JSON.parse(readyJson) as Ready,
    command: (line, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to "${line}"`)), timeoutMs);
        waiting.push((answer) => {
          clearTimeout(timer);
          resolve(answer);
        });
        child.stdin?.write(`${line}\n`);
      }),
    cpuSeconds: () => cpuSecondsOf(pid),
    cpuWaitSeconds: () => cpuWaitSecondsOf(pid),
    stderr: () => stderr,
    stop: () => terminate(child, exited),
  };
}

export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The second field of schedstat: nanoseconds spent on a run queue, i.e. ready but not running. */
export function cpuWaitSecondsOf(pid: number | 'self'): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return Number.NaN;
  }
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
