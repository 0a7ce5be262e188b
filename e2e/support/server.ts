import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Settings a developer's shell may carry that would point the server under test at something
 * other than its own fresh SQLite file and local outbox.
 */
const INHERITED_SETTINGS_TO_DROP = [
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'MAIL_FROM',
  'SESSION_SECRET',
  'SESSION_IDLE_MINUTES',
  'SESSION_MAX_HOURS',
  'TRUST_PROXY',
  'BRANCHLINE_DEMO',
  'BRANCHLINE_ADMIN_EMAIL',
  'BRANCHLINE_ADMIN_PASSWORD',
  'BRANCHLINE_LIBRARY_NAME',
  'BRANCHLINE_TIME_ZONE',
];

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  baseUrl: string;
  /** The server's DATA_DIR: SQLite database and the `outbox/` of mail it would have sent. */
  dataDir: string;
  /** Everything the server printed so far (the demo logins appear here on first start). */
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, wait for exit, remove the data directory. Safe to call twice. */
  stop: () => Promise<void>;
}

/** Asks the kernel for a free port on 127.0.0.1 and releases it for the server to take. */
export async function findFreePort(): Promise<number> {
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
 * Starts the real server (`server/src/main.ts` through tsx) on a free port with a fresh data
 * directory; the demo library is seeded because the database is empty. `env` adds or overrides
 * variables, e.g. `{ CHAT_RECONNECT_GRACE_SECONDS: '5' }`. Resolves once `GET /health` answers 200.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  // The port is free when probed but could be taken before the server binds it: try again then.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(await findFreePort(), env);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(port: number, env: Record<string, string>): Promise<RunningServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'branchline-e2e-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const inherited = { ...process.env };
  for (const name of INHERITED_SETTINGS_TO_DROP) delete inherited[name];

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await terminate(child, exited);
    await fs.rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, exited, () => stderr);
  } catch (error) {
    await stop();
    if (/EADDRINUSE/.test(stderr)) throw new PortTakenError(`port ${port} was taken`);
    throw error;
  }
  return { baseUrl, dataDir, stdout: () => stdout, stderr: () => stderr, stop };
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`The server exited with code ${String(exitCode)} before it was healthy.\n${stderr()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The server did not answer GET /health with 200 within ${STARTUP_TIMEOUT_MS / 1000} s.\n${stderr()}`);
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts a server before the file's tests and stops it after them. The returned object's
 * fields are readable once the tests run (not while they are being collected).
 */
export function useServer(env: Record<string, string> = {}): RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const current = (): RunningServer => {
    if (!server) throw new Error('the server is not running: use it inside a test or a hook');
    return server;
  };
  return {
    get baseUrl() {
      return current().baseUrl;
    },
    get dataDir() {
      return current().dataDir;
    },
    stdout: () => current().stdout(),
    stderr: () => current().stderr(),
    stop: () => current().stop(),
  };
}
