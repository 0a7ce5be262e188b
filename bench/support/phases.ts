import os from 'node:os';
import type { Child } from './child.ts';
import type { LoopDelay } from './child-commands.ts';
import { percentile, type Ledger, type PhaseLog } from './ledger.ts';
import type { Target } from './target.ts';

const TICK_MS = 5;

export interface Rig {
  target: Target;
  ledger: Ledger;
  /** The process serving the target. */
  server: Child<unknown>;
}

export interface PhaseResult {
  target: string;
  label: string;
  pairs: number;
  /** Messages per second asked of the generator. */
  offeredRate: number;
  /** Messages per second the generator actually sent. */
  sentRate: number;
  sent: number;
  /** Distinct messages delivered to staff by the end of the phase's drain. */
  delivered: number;
  /** delivered ÷ (last delivery − first send). */
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  /** Sent but neither delivered nor refused when the phase's drain ended. */
  undeliveredAtCutoff: number;
  /** Server CPU over the phase, in cores (1.0 = one core busy). */
  serverCpu: number;
  /** Server CPU time per delivered message, in milliseconds: what one message costs it. */
  serverCpuPerMessageMs: number;
  generatorCpu: number;
  /**
   * Fraction of the phase the server's main thread was ready to run but waiting for a CPU: high
   * when other work on the machine (or the generator) competes for the cores.
   */
  serverCpuWait: number;
  /** How late the server's event loop ran during the phase (the resolution is 5 ms). */
  serverLoopDelay: LoopDelay;
  /** The machine's 1-minute load average at the end of the phase (other work shares the CPUs). */
  loadAverage: number;
  log: PhaseLog;
}

export interface PhaseSpec {
  label: string;
  rate: number;
  seconds: number;
  /** How long to wait after the last send for deliveries still in flight. */
  drainMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open-loop load: message k is due at k / rate seconds after the start and goes to pair
 * k mod N, whatever the server has answered — so a server that falls behind shows it as
 * latency rather than by slowing the generator down. Bounded by count and by time.
 */
export async function runPhase(rig: Rig, spec: PhaseSpec): Promise<PhaseResult> {
  const { target, ledger } = rig;
  const total = Math.max(1, Math.round(spec.rate * spec.seconds));
  const log = ledger.open(total);
  await rig.server.command('loop:reset');
  const cpu0 = rig.server.cpuSeconds();
  const wait0 = rig.server.cpuWaitSeconds();
  const gen0 = process.cpuUsage();
  const start = performance.now();
  log.firstSendAt = start;
  const sendDeadline = start + spec.seconds * 3000;

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * spec.rate) / 1000) + 1);
      while (log.sent < due) {
        const index = log.sent;
        const clientId = log.clientId(index);
        target.send(index % target.pairs, clientId, `t=${performance.now().toFixed(3)} bench ${clientId}`);
        log.sent += 1;
      }
      if (log.sent >= total || now > sendDeadline) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const sendEnd = performance.now();

  const drainDeadline = sendEnd + spec.drainMs;
  while (!(log.isSettled() && (!target.acks || log.acked + log.refused >= log.sent))) {
    if (performance.now() > drainDeadline) break;
    await sleep(10);
  }
  const end = performance.now();
  const serverCpu = rig.server.cpuSeconds() - cpu0;
  const serverCpuWait = rig.server.cpuWaitSeconds() - wait0;
  const serverLoopDelay = JSON.parse(await rig.server.command('loop:read')) as LoopDelay;
  const wall = (end - start) / 1000;
  const gen = process.cpuUsage(gen0);
  const latencies = log.sortedLatencies();
  const span = (log.lastDeliveryAt - start) / 1000;
  return {
    target: target.name,
    label: spec.label,
    pairs: target.pairs,
    offeredRate: spec.rate,
    sentRate: log.sent / Math.max(0.001, (sendEnd - start) / 1000),
    sent: log.sent,
    delivered: log.delivered,
    throughput: log.delivered > 0 && span > 0 ? log.delivered / span : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? (latencies[latencies.length - 1] ?? Number.NaN) : Number.NaN,
    undeliveredAtCutoff: log.sent - log.delivered - log.refused,
    serverCpu: serverCpu / wall,
    serverCpuPerMessageMs: log.delivered > 0 ? (serverCpu * 1000) / log.delivered : Number.NaN,
    serverCpuWait: serverCpuWait / wall,
    generatorCpu: (gen.user + gen.system) / 1e6 / wall,
    serverLoopDelay,
    loadAverage: os.loadavg()[0] ?? Number.NaN,
    log,
  };
}

export interface SaturationSpec {
  startRate: number;
  factor: number;
  stepSeconds: number;
  maxSteps: number;
  p99LimitMs: number;
  /** Offered rates above this are not tried (e.g. the server's per-chat flood limit). */
  maxRate: number;
  /** Wall-clock time (Date.now()) after which no new step starts. */
  deadline: number;
}

export interface Saturation {
  steps: PhaseResult[];
  /** The step with the highest delivered throughput. */
  best: PhaseResult | undefined;
  /** Why the search stopped. */
  reason: string;
}

/**
 * Raises the offered rate step by step until throughput stops growing (under 5 % more for
 * `factor` times the offer), p99 passes the limit, or a step cannot drain its backlog.
 */
export async function saturate(rig: Rig, spec: SaturationSpec, log: (line: string) => void): Promise<Saturation> {
  const steps: PhaseResult[] = [];
  let best: PhaseResult | undefined;
  let reason = `reached ${spec.maxSteps} steps`;
  let rate = spec.startRate;
  for (let step = 0; step < spec.maxSteps; step += 1) {
    if (Date.now() > spec.deadline) {
      reason = 'time budget spent';
      break;
    }
    const result = await runPhase(rig, {
      label: `saturation ${Math.round(rate)}/s`,
      rate,
      seconds: spec.stepSeconds,
      drainMs: Math.max(5000, spec.stepSeconds * 3000),
    });
    steps.push(result);
    log(`  ${describe(result)}`);
    const grew = !best || result.throughput >= best.throughput * 1.05;
    if (!best || result.throughput > best.throughput) best = result;
    if (result.undeliveredAtCutoff > 0) {
      reason = `backlog not drained at ${Math.round(rate)}/s offered`;
      break;
    }
    if (result.p99 > spec.p99LimitMs) {
      reason = `p99 ${Math.round(result.p99)} ms > ${spec.p99LimitMs} ms at ${Math.round(rate)}/s offered`;
      break;
    }
    if (!grew) {
      reason = `throughput stopped growing at ${Math.round(rate)}/s offered`;
      break;
    }
    if (rate * spec.factor > spec.maxRate) {
      reason = `next step would pass the ${Math.round(spec.maxRate)}/s cap`;
      break;
    }
    rate *= spec.factor;
  }
  return { steps, best, reason };
}

export function describe(r: PhaseResult): string {
  const ms = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(1));
  return (
    `${r.label}: sent ${r.sent} (${Math.round(r.sentRate)}/s), delivered ${r.delivered} ` +
    `(${Math.round(r.throughput)}/s), p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms, ` +
    `server CPU ${(r.serverCpu * 100).toFixed(0)}% (waiting for a CPU ${(r.serverCpuWait * 100).toFixed(0)}%, loop delay p99 ${ms(r.serverLoopDelay.p99)} ms, ` +
    `max ${ms(r.serverLoopDelay.max)} ms), generator CPU ${(r.generatorCpu * 100).toFixed(0)}%, load ${r.loadAverage.toFixed(1)}`
  );
}
