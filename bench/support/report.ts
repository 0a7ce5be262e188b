import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import type { PhaseResult, Saturation } from './phases.ts';

export interface TargetRun {
  name: string;
  setupSeconds: number;
  steady: PhaseResult;
  saturation: Saturation;
  /** Messages never delivered, over every phase, after the final drain. */
  lost: number;
  duplicates: number;
  /** Sent, not refused, and never acknowledged to the patron (Branchline only). */
  unacked: number | undefined;
  refused: Map<string, number>;
  anomalies: Map<string, number>;
  notes: string[];
}

export interface RunReport {
  date: string;
  mode: string;
  pairs: number;
  rate: number;
  seconds: number;
  ours: TargetRun;
  baseline: TargetRun | undefined;
  /** The relay that commits each message to SQLite first: the floor for any persisting server. */
  persisting: TargetRun | undefined;
  elapsedSeconds: number;
  /** Machine and code measured, as at the start of the run. */
  machine: string;
  code: string;
  /** Summary of the server's CPU profile over the measured phases, when profiled. */
  profile: string | undefined;
}

/** Name of the baseline that persists like Branchline but does nothing else. */
export const PERSISTING_RELAY = 'relay + SQLite';

export const TARGETS = {
  steadyPairs: 1000,
  steadyRate: 1000,
  steadyP99Ms: 50,
  saturationRatio: 0.4,
};

const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const ms3 = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(3));
const int = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const pct = (v: number) => `${Math.round(v * 100)}%`;

function row(r: PhaseResult): string {
  return `| ${r.target} | ${r.label} | ${int(r.offeredRate)} | ${int(r.throughput)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.undeliveredAtCutoff} | ${pct(r.serverCpu)} | ${pct(r.serverCpuWait)} | ${ms(r.serverLoopDelay.p99)} / ${ms(r.serverLoopDelay.max)} | ${pct(r.generatorCpu)} | ${r.loadAverage.toFixed(1)} |`;
}

export function phaseTable(runs: TargetRun[]): string {
  const lines = [
    '| target | phase | offered msg/s | delivered msg/s | p50 ms | p99 ms | max ms | undelivered at cutoff | server CPU | server waiting for a CPU | server loop delay p99 / max ms | generator CPU | load avg |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs) {
    lines.push(row(run.steady));
    for (const step of run.saturation.steps) lines.push(row(step));
  }
  return lines.join('\n');
}

function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–';
}

/** The best throughput among phases that kept p99 within the steady target and delivered everything. */
function withinTarget(run: TargetRun): number {
  return [run.steady, ...run.saturation.steps]
    .filter((r) => r.p99 <= TARGETS.steadyP99Ms && r.undeliveredAtCutoff === 0)
    .reduce((best, r) => Math.max(best, r.throughput), 0);
}

export function comparisonTable(report: RunReport): string {
  const { ours } = report;
  const baselines = [report.baseline, report.persisting].filter((b): b is TargetRun => b !== undefined);
  const bestOf = (run: TargetRun) => run.saturation.best?.throughput ?? Number.NaN;
  const cpuOf = (run: TargetRun) => run.saturation.best?.serverCpuPerMessageMs ?? Number.NaN;
  const tableRow = (cells: string[]) => `| ${cells.join(' | ')} |`;
  /** One row: our value, then each baseline's value and our ratio to it. */
  const line = (measure: string, value: (run: TargetRun) => number, format: (v: number) => string) =>
    tableRow([
      measure,
      format(value(ours)),
      ...baselines.flatMap((b) => [format(value(b)), ratio(value(ours), value(b))]),
    ]);
  const lines = [
    tableRow(['measure', 'Branchline', ...baselines.flatMap((b) => [b.name, `Branchline ÷ ${b.name}`])]),
    tableRow(['---', '---:', ...baselines.flatMap(() => ['---:', '---:'])]),
    line('steady: delivered msg/s', (r) => r.steady.throughput, int),
    line('steady: p50 latency ms', (r) => r.steady.p50, ms),
    line('steady: p99 latency ms', (r) => r.steady.p99, ms),
    line('steady: max latency ms', (r) => r.steady.max, ms),
    line(`highest delivered msg/s with p99 ≤ ${TARGETS.steadyP99Ms} ms (any phase)`, withinTarget, int),
    line('saturation: max delivered msg/s', bestOf, int),
    line('saturation: server CPU per message at the best step, ms', cpuOf, ms3),
    line('projection: msg/s one free core could serve (1000 ÷ CPU ms per message)', (r) => 1000 / cpuOf(r), int),
    tableRow([
      'lost / duplicated messages (all phases)',
      `${ours.lost} / ${ours.duplicates}`,
      ...baselines.flatMap((b) => [`${b.lost} / ${b.duplicates}`, '']),
    ]),
  ];
  return lines.join('\n');
}

/** Each spec target with the measured value and whether it was met. */
export function verdicts(report: RunReport): string[] {
  const { ours, baseline } = report;
  const out: string[] = [];
  const atTargetSize = report.pairs >= TARGETS.steadyPairs && report.rate >= TARGETS.steadyRate;
  const steadyOk =
    ours.steady.p99 <= TARGETS.steadyP99Ms &&
    ours.steady.sentRate >= report.rate * 0.98 &&
    ours.steady.undeliveredAtCutoff === 0 &&
    ours.lost === 0 &&
    ours.duplicates === 0;
  out.push(
    `${steadyOk ? 'MET' : 'NOT MET'}${atTargetSize ? '' : ' (run below target size)'}: ` +
      `${TARGETS.steadyPairs} concurrent chats at ${TARGETS.steadyRate} msg/s with p99 ≤ ${TARGETS.steadyP99Ms} ms — ` +
      `measured ${report.pairs} chats, ${int(ours.steady.throughput)} msg/s delivered, p99 ${ms(ours.steady.p99)} ms, ` +
      `lost ${ours.lost}, duplicated ${ours.duplicates}`,
  );
  const o = ours.saturation.best?.throughput ?? 0;
  const b = baseline?.saturation.best?.throughput;
  if (b === undefined) out.push('NOT MEASURED: saturation throughput ≥ 40% of the raw relay (baseline skipped)');
  else
    out.push(
      `${o / b >= TARGETS.saturationRatio ? 'MET' : 'NOT MET'}: saturation throughput ≥ ${pct(TARGETS.saturationRatio)} of the raw relay — ` +
        `measured ${int(o)} vs ${int(b)} msg/s = ${pct(o / b)}`,
    );
  const p = report.persisting?.saturation.best?.throughput;
  if (p !== undefined && b !== undefined)
    out.push(
      `FOR REFERENCE: the ${PERSISTING_RELAY} reaches ${int(p)} msg/s = ${pct(p / b)} of the raw relay; ` +
        `Branchline reaches ${pct(o / p)} of it`,
    );
  return out;
}

function listOf(map: Map<string, number>): string {
  return map.size === 0 ? 'none' : [...map.entries()].map(([k, v]) => `${k} × ${v}`).join(', ');
}

function targetNotes(run: TargetRun): string[] {
  const best = run.saturation.best;
  return [
    `- **${run.name}**: set-up (connect${run.name === 'Branchline' ? ', sign in, pair' : ''}) ${run.setupSeconds.toFixed(1)} s; ` +
      `saturation stopped because ${run.saturation.reason}; best step ${best ? `${best.label} → ${int(best.throughput)} msg/s, p99 ${ms(best.p99)} ms` : '–'}; ` +
      `lost ${run.lost}, duplicated ${run.duplicates}` +
      (run.unacked === undefined ? '' : `, never acknowledged ${run.unacked}`) +
      `; refused ${listOf(run.refused)}; anomalies ${listOf(run.anomalies)}.`,
    ...run.notes.map((n) => `  ${n}`),
  ];
}

/** The commit measured, and whether server code had uncommitted changes (read-only git calls). */
export function codeLine(repoRoot: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'server', 'protocol') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in server/ or protocol/' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${os.availableParallelism()} CPUs (${cpu.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}, load average ${load}`;
}

export function runSection(report: RunReport): string {
  const runs = [report.ours, report.baseline, report.persisting].filter((r): r is TargetRun => r !== undefined);
  return [
    `## Run ${report.date} — ${report.mode}`,
    '',
    `${report.pairs} chats, steady ${report.rate} msg/s for ${report.seconds} s; ${report.code}; whole run ${int(report.elapsedSeconds)} s.`,
    `Machine at the start: ${report.machine}.`,
    '',
    ...verdicts(report).map((v) => `- ${v}`),
    '',
    comparisonTable(report),
    '',
    'Every phase (latency = staff receive time − patron send time, same process clock):',
    '',
    phaseTable(runs),
    '',
    ...runs.flatMap(targetNotes),
    '',
    ...(report.profile
      ? [
          'Where the server spent its time (V8 sampling profile of the Branchline phases):',
          '',
          '```text',
          report.profile,
          '```',
          '',
        ]
      : []),
  ].join('\n');
}

/**
 * Rewrites bench/RESULTS.md: the fixed explanation, then the recorded runs, with this run's
 * section replacing an earlier one of the same date and mode.
 */
export async function recordRun(file: string, intro: string, report: RunReport): Promise<void> {
  let existing = '';
  try {
    existing = await fs.readFile(file, 'utf8');
  } catch {
    // First run: nothing to keep.
  }
  const sections = existing
    .split(/^(?=## Run )/m)
    .filter((s) => s.startsWith('## Run '))
    .map((s) => s.trimEnd());
  const section = runSection(report).trimEnd();
  const heading = section.split('\n')[0];
  const index = sections.findIndex((s) => s.split('\n')[0] === heading);
  if (index >= 0) sections[index] = section;
  else sections.push(section);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Formatted as `npm run format` would, so the file passes the repository's format check.
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(`${intro.trimEnd()}\n\n${sections.join('\n\n')}\n`, {
    ...options,
    filepath: file,
  });
  await fs.writeFile(file, text);
}
