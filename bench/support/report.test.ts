import { describe, expect, it } from 'vitest';
import { PhaseLog } from './ledger.ts';
import type { PhaseResult } from './phases.ts';
import { comparisonTable, PERSISTING_RELAY, runSection, verdicts, type RunReport, type TargetRun } from './report.ts';

function phase(target: string, throughput: number, cpuPerMessageMs: number): PhaseResult {
  return {
    target,
    label: `saturation ${throughput}/s`,
    pairs: 1000,
    offeredRate: throughput,
    sentRate: throughput,
    sent: throughput * 5,
    delivered: throughput * 5,
    throughput,
    p50: 2,
    p99: 20,
    max: 30,
    undeliveredAtCutoff: 0,
    serverCpu: 0.9,
    serverCpuPerMessageMs: cpuPerMessageMs,
    generatorCpu: 0.4,
    serverCpuWait: 0.01,
    serverLoopDelay: { p50: 5, p99: 8, max: 10 },
    loadAverage: 1,
    log: new PhaseLog('test', 1),
  };
}

function run(name: string, best: number, cpuPerMessageMs: number): TargetRun {
  const step = phase(name, best, cpuPerMessageMs);
  return {
    name,
    setupSeconds: 1,
    steady: { ...phase(name, 1000, cpuPerMessageMs), label: 'steady 1000 chats' },
    saturation: { steps: [step], best: step, reason: 'throughput stopped growing' },
    lost: 0,
    duplicates: 0,
    unacked: name === 'Branchline' ? 0 : undefined,
    refused: new Map(),
    anomalies: new Map(),
    notes: [],
  };
}

function report(baseline?: TargetRun, persisting?: TargetRun): RunReport {
  return {
    date: '2026-11-29',
    mode: 'default',
    pairs: 1000,
    rate: 1000,
    seconds: 20,
    ours: run('Branchline', 9000, 0.1),
    baseline,
    persisting,
    elapsedSeconds: 200,
    machine: 'test machine',
    code: 'commit test',
    profile: undefined,
  };
}

/** Cells per row of a Markdown table (the outer pipes excluded). */
const columnCounts = (table: string) => table.split('\n').map((line) => line.split('|').length - 2);

describe('benchmark report', () => {
  it('gives every row of the comparison the same columns, with no, one or two baselines', () => {
    for (const [r, columns] of [
      [report(), 2],
      [report(run('ws relay', 72000, 0.012)), 4],
      [report(run('ws relay', 72000, 0.012), run(PERSISTING_RELAY, 36000, 0.026)), 6],
    ] as const) {
      const counts = columnCounts(comparisonTable(r));
      expect(new Set(counts)).toEqual(new Set([columns]));
    }
  });

  it('gives the ratio to each baseline, and the per-core projection as the inverse of the CPU cost', () => {
    const table = comparisonTable(report(run('ws relay', 72000, 0.012), run(PERSISTING_RELAY, 36000, 0.025)));
    const line = (measure: string) =>
      table
        .split('\n')
        .find((l) => l.startsWith(`| ${measure}`))
        ?.split('|')
        .slice(2, -1)
        .map((c) => c.trim());
    expect(line('saturation: max delivered msg/s')).toEqual(['9000', '72000', '0.13×', '36000', '0.25×']);
    expect(line('projection')).toEqual(['10000', '83333', '0.12×', '40000', '0.25×']);
  });

  it('judges the 40% target against the raw relay and gives the persisting relay for reference', () => {
    const lines = verdicts(report(run('ws relay', 20000, 0.05), run(PERSISTING_RELAY, 12000, 0.08)));
    expect(lines[1]).toMatch(
      /^MET: saturation throughput ≥ 40% of the raw relay — measured 9000 vs 20000 msg\/s = 45%/,
    );
    expect(lines[2]).toBe(
      `FOR REFERENCE: the ${PERSISTING_RELAY} reaches 12000 msg/s = 60% of the raw relay; Branchline reaches 75% of it`,
    );
    expect(verdicts(report())[1]).toMatch(/^NOT MEASURED/);
  });

  it('lists every measured target in the phase table of a recorded run', () => {
    const section = runSection(report(run('ws relay', 72000, 0.012), run(PERSISTING_RELAY, 36000, 0.026)));
    for (const name of ['Branchline', 'ws relay', PERSISTING_RELAY])
      expect(section).toContain(`| ${name} | saturation `);
  });
});
