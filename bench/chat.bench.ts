/**
 * Chat benchmark: N patron↔staff pairs through the real server (SQLite, in-process bus) and
 * through a bare ws relay, each in its own child process. See bench/support/results-intro.md
 * for what is measured and bench/RESULTS.md for recorded runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectBranchline } from './support/branchline-target.ts';
import { findFreePort, REPO_ROOT, startChild, type Child } from './support/child.ts';
import { Ledger } from './support/ledger.ts';
import { readOptions, type BenchOptions } from './support/options.ts';
import { describe, runPhase, saturate, type Rig } from './support/phases.ts';
import { formatProfile, summariseProfile } from './support/profile.ts';
import type { RelayReady } from './support/relay-entry.ts';
import { connectRelay } from './support/relay-target.ts';
import {
  codeLine,
  comparisonTable,
  machineLine,
  PERSISTING_RELAY,
  phaseTable,
  recordRun,
  verdicts,
  type RunReport,
  type TargetRun,
} from './support/report.ts';
import type { ServerReady } from './support/server-entry.ts';
import type { StatementStats } from './support/statement-counter.ts';

const BENCH_DIR = import.meta.dirname;
/** Per-chat flood limit given to the server, and the per-chat rate the search stays under. */
const FLOOD_LIMIT_PER_10S = 200;
const MAX_RATE_PER_CHAT = 18;
const FINAL_DRAIN_MS = 30_000;

/** Settings a developer's shell may carry that would point the server somewhere else. */
const INHERITED_SETTINGS_TO_DROP = [
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'MAIL_FROM',
  'SESSION_SECRET',
  'SESSION_IDLE_MINUTES',
  'SESSION_MAX_HOURS',
  'BRANCHLINE_ADMIN_EMAIL',
  'BRANCHLINE_ADMIN_PASSWORD',
  'BRANCHLINE_LIBRARY_NAME',
  'BRANCHLINE_TIME_ZONE',
  'CHAT_RECONNECT_GRACE_SECONDS',
];

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of INHERITED_SETTINGS_TO_DROP) delete env[name];
  return { ...env, ...extra };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warm-up, steady phase, saturation search, then a final drain to settle loss and duplicates. */
async function measure(
  rig: Rig,
  options: BenchOptions,
  setupSeconds: number,
  maxRate: number,
  profiler?: { start: () => Promise<void>; stop: () => Promise<void> },
): Promise<TargetRun> {
  const { target, ledger } = rig;
  log(`${target.name}: warm-up`);
  await runPhase(rig, { label: 'warm-up', rate: options.rate, seconds: options.warmupSeconds, drainMs: 5000 });
  await profiler?.start();
  log(`${target.name}: steady phase, ${options.rate} msg/s for ${options.seconds} s`);
  const steady = await runPhase(rig, {
    label: `steady ${target.pairs} chats`,
    rate: options.rate,
    seconds: options.seconds,
    drainMs: Math.max(10_000, options.seconds * 750),
  });
  log(`  ${describe(steady)}`);
  log(`${target.name}: saturation search`);
  const saturation = await saturate(
    rig,
    {
      // From well below the steady rate, so the curve also shows what is served within 50 ms.
      startRate: options.rate / 4,
      factor: options.stepFactor,
      stepSeconds: options.stepSeconds,
      maxSteps: options.maxSteps,
      p99LimitMs: options.saturationP99Ms,
      maxRate,
      deadline: Date.now() + (options.quick ? 45_000 : 110_000),
    },
    log,
  );
  await profiler?.stop();
  log(`  stopped: ${saturation.reason}`);
  // The steady phase is a point on the same curve: if it already overloaded the server, it counts.
  if (!saturation.best || steady.throughput > saturation.best.throughput) saturation.best = steady;

  const notes: string[] = [];
  const starved = [steady, ...saturation.steps].filter((r) => r.serverCpuWait > 0.1);
  if (starved.length > 0)
    notes.push(
      `In ${starved.length} of ${saturation.steps.length + 1} phases the server spent over 10% of the time ready to run ` +
        `but waiting for a CPU (steady: ${Math.round(steady.serverCpuWait * 100)}%): other processes competed for ` +
        'the cores, so these numbers understate what it does on a quiet machine.',
    );
  const logs = ledger.logs();
  const deadline = Date.now() + FINAL_DRAIN_MS;
  const settled = (l: (typeof logs)[number]) => l.isSettled() && (!target.acks || l.acked + l.refused >= l.sent);
  while (!logs.every(settled) && Date.now() < deadline) await sleep(50);
  const refused = new Map<string, number>();
  for (const l of logs) for (const [code, n] of l.refusedCodes) refused.set(code, (refused.get(code) ?? 0) + n);
  const sum = (f: (l: (typeof logs)[number]) => number) => logs.reduce((n, l) => n + f(l), 0);
  return {
    name: target.name,
    setupSeconds,
    steady,
    saturation,
    lost: sum((l) => l.sent - l.delivered - l.refused),
    duplicates: sum((l) => l.duplicates),
    unacked: target.acks ? sum((l) => l.sent - l.acked - l.refused) : undefined,
    refused,
    anomalies: new Map(target.anomalies()),
    notes,
  };
}

async function withDataDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'branchline-bench-'));
  try {
    return await work(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface Diagnostics {
  /** The server's .cpuprofile over the measured phases. */
  profileFile: string;
  /** SQL statements the server ran over the same phases, by verb and table, with their time. */
  statements: Record<string, StatementStats>;
  /** Messages delivered over the same phases. */
  delivered: number;
}

/** A fresh schema on the given PostgreSQL database, and the server's DATABASE_URL for it. */
async function postgresSchema(url: string): Promise<{ url: string; where: string; drop: () => Promise<void> }> {
  const schema = `bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${schema}`);
  const safe = new URL(url);
  safe.password = '';
  return {
    url: withPath.toString(),
    where: `PostgreSQL at ${safe.host}${safe.pathname}, schema ${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

async function measureBranchline(options: BenchOptions): Promise<{ run: TargetRun; diagnostics?: Diagnostics }> {
  return withDataDir(async (dir) => {
    const port = await findFreePort();
    const password = `bench-${crypto.randomBytes(12).toString('base64url')}`;
    const staff = Math.ceil(options.pairs / options.chatsPerStaff);
    const database = options.postgres
      ? await postgresSchema(options.postgres)
      : { url: `sqlite:${path.join(dir, 'bench.db')}`, where: `SQLite at ${dir}/bench.db`, drop: async () => {} };
    log(`Branchline: starting the server (${database.where}, ${staff} bench staff)`);
    const child: Child<ServerReady> = await startChild<ServerReady>('bench/support/server-entry.ts', {
      ...childEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dir,
        DATABASE_URL: database.url,
        SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'silent',
        TRUST_PROXY: '1',
        CHAT_MESSAGES_PER_10S: String(FLOOD_LIMIT_PER_10S),
        BRANCHLINE_DEMO: '1',
        BENCH_STAFF: String(staff),
        BENCH_STAFF_PASSWORD: password,
        BENCH_CHATS_PER_STAFF: String(options.chatsPerStaff),
        BENCH_COUNT_STATEMENTS: options.profile ? '1' : '0',
      }),
    }).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
    const profileFile = path.join(os.tmpdir(), `branchline-bench-${Date.now()}.cpuprofile`);
    try {
      const ledger = new Ledger();
      const setupStart = performance.now();
      log(`Branchline: server at ${child.ready.baseUrl}; signing in staff and pairing chats`);
      const target = await connectBranchline(
        child.ready,
        { pairs: options.pairs, chatsPerStaff: options.chatsPerStaff, password },
        ledger,
        log,
      );
      const setupSeconds = (performance.now() - setupStart) / 1000;
      log(`  paired in ${setupSeconds.toFixed(1)} s (${target.conflicts()} accept races lost, as expected)`);
      let statements: Record<string, StatementStats> = {};
      const profiler = options.profile
        ? {
            start: async () => {
              await child.command('statements:reset');
              await child.command('profile:start');
            },
            stop: async () => {
              await child.command(`profile:stop ${profileFile}`);
              statements = JSON.parse(await child.command('statements:read')) as Record<string, StatementStats>;
            },
          }
        : undefined;
      const run = await measure(
        { target, ledger, server: child },
        options,
        setupSeconds,
        options.pairs * MAX_RATE_PER_CHAT,
        profiler,
      );
      run.notes.push(
        `Pairing: ${target.conflicts()} accepts lost a race to a colleague (claim desk), each answered with an error frame.`,
      );
      await target.close();
      if (child.stderr().trim()) run.notes.push(`Server stderr: ${child.stderr().trim().slice(0, 500)}`);
      const delivered = [run.steady, ...run.saturation.steps].reduce((n, r) => n + r.delivered, 0);
      return { run, ...(options.profile ? { diagnostics: { profileFile, statements, delivered } } : {}) };
    } finally {
      await child.stop();
      await database.drop();
    }
  });
}

/** The bare relay, or (`persist`) the relay that commits each message to SQLite before forwarding it. */
async function measureRelay(options: BenchOptions, persist: boolean): Promise<TargetRun> {
  return withDataDir(async (dir) => {
    const port = await findFreePort();
    const name = persist ? PERSISTING_RELAY : 'ws relay';
    log(`${name}: starting`);
    const child: Child<RelayReady> = await startChild(
      'bench/support/relay-entry.ts',
      childEnv({ PORT: String(port), ...(persist ? { BENCH_RELAY_DB: path.join(dir, 'relay.db') } : {}) }),
    );
    try {
      const ledger = new Ledger();
      const setupStart = performance.now();
      const target = await connectRelay(
        child.ready,
        { pairs: options.pairs, chatsPerStaff: options.chatsPerStaff, name },
        ledger,
        log,
      );
      const setupSeconds = (performance.now() - setupStart) / 1000;
      const run = await measure({ target, ledger, server: child }, options, setupSeconds, Number.POSITIVE_INFINITY);
      const best = run.saturation.best;
      if (best && best.generatorCpu >= 0.9)
        run.notes.push(
          `At the relay's best step the load generator used ${Math.round(best.generatorCpu * 100)}% CPU: the generator, ` +
            'not the relay, was probably the limit, so the relay ceiling is higher and the ratio is an upper bound.',
        );
      await target.close();
      return run;
    } finally {
      await child.stop();
    }
  });
}

async function describeDiagnostics(d: Diagnostics): Promise<string> {
  const messages = Math.max(1, d.delivered);
  const perMessage = Object.entries(d.statements)
    .map(
      ([statement, s]) =>
        `  ${(s.count / messages).toFixed(2).padStart(6)}  ${((s.ms * 1000) / messages).toFixed(1).padStart(7)} µs  ${statement}`,
    )
    .join('\n');
  const total = Object.values(d.statements).reduce((a, s) => a + s.count, 0);
  const totalMs = Object.values(d.statements).reduce((a, s) => a + s.ms, 0);
  return (
    `${formatProfile(await summariseProfile(d.profileFile))}\n\n` +
    `SQL per delivered message (${total} statements over ${d.delivered} messages, all server work included; ` +
    `${((totalMs * 1000) / messages).toFixed(1)} µs inside SQLite per message):\n` +
    `  count  time       statement\n${perMessage}`
  );
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  const mode = options.quick ? 'quick' : 'default';
  log(`Chat benchmark (${mode}): ${options.pairs} chats, ${options.rate} msg/s for ${options.seconds} s`);
  const machine = machineLine();
  const code = codeLine(REPO_ROOT);
  log(`Machine: ${machine}`);
  log(`Code: ${code}`);

  const { run: ours, diagnostics } = await measureBranchline(options);
  const profileText = diagnostics ? await describeDiagnostics(diagnostics) : undefined;
  const baseline = options.skipBaseline ? undefined : await measureRelay(options, false);
  const persisting = options.skipBaseline || options.postgres ? undefined : await measureRelay(options, true);
  const report: RunReport = {
    date: new Date().toISOString().slice(0, 10),
    mode:
      (options.pairs === 1000 && options.rate === 1000 && options.seconds === 20
        ? 'default'
        : `${mode}, ${options.pairs} chats, ${options.rate} msg/s, ${options.seconds} s`) +
      (options.postgres ? ', PostgreSQL' : '') +
      (options.profile ? ', server profiled' : '') +
      (options.skipBaseline ? ', no baseline' : ''),
    pairs: options.pairs,
    rate: options.rate,
    seconds: options.seconds,
    ours,
    baseline,
    persisting,
    elapsedSeconds: (Date.now() - started) / 1000,
    profile: profileText,
    machine,
    code,
  };

  const runs = [ours, ...(baseline ? [baseline] : []), ...(persisting ? [persisting] : [])];
  console.log(`\n${comparisonTable(report)}\n\n${phaseTable(runs)}\n`);
  for (const verdict of verdicts(report)) console.log(verdict);
  for (const run of runs) {
    console.log(
      `${run.name}: lost ${run.lost}, duplicated ${run.duplicates}` +
        (run.unacked === undefined ? '' : `, never acknowledged ${run.unacked}`) +
        `, refused ${JSON.stringify(Object.fromEntries(run.refused))}, anomalies ${JSON.stringify(Object.fromEntries(run.anomalies))}`,
    );
    for (const note of run.notes) console.log(`  ${note}`);
  }
  if (options.record) {
    const intro = await fs.readFile(path.join(BENCH_DIR, 'support/results-intro.md'), 'utf8');
    await recordRun(path.join(BENCH_DIR, 'RESULTS.md'), intro, report);
    log('Recorded in bench/RESULTS.md');
  }
  if (diagnostics) console.log(`\n${profileText}\n(profile: ${diagnostics.profileFile})`);
  // Speed targets are reported, never enforced; a message lost, duplicated or never acknowledged
  // is a broken guarantee, and fails the run (CI runs `--quick --skip-baseline` for this).
  const broken = runs.filter((run) => run.lost > 0 || run.duplicates > 0 || (run.unacked ?? 0) > 0);
  if (broken.length > 0) {
    console.error(`Delivery broken in: ${broken.map((run) => run.name).join(', ')} (see the counts above).`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
