import fs from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './child.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time per function, largest first. */
  functions: Array<{ name: string; where: string; ms: number }>;
  /** Self time per package (node_modules/<pkg>), our own folders, node internals or V8. */
  areas: Array<{ area: string; ms: number }>;
}

function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(REPO_ROOT)) {
    const rel = path.relative(REPO_ROOT, file).split(path.sep);
    return rel.slice(0, rel[0] === 'server' ? 4 : 2).join('/');
  }
  return url;
}

function whereOf(url: string, line: number): string {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const shown = file.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, file) : file.replace(/^.*node_modules\//, '');
  return `${shown}:${line + 1}`;
}

/** Self time by function and by area from a .cpuprofile (V8's sampling profiler). */
export async function summariseProfile(file: string, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await fs.readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const functions = new Map<string, { name: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = whereOf(url, lineNumber);
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, ms: 0 };
    entry.ms += us / 1000;
    functions.set(key, entry);
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + us / 1000);
    totalMs += us / 1000;
  }
  return {
    totalMs,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
    areas: [...areas.entries()]
      .map(([area, ms]) => ({ area, ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const pct = (ms: number) => `${((ms / summary.totalMs) * 100).toFixed(1)}%`.padStart(6);
  const lines = [`Server CPU profile: ${(summary.totalMs / 1000).toFixed(1)} s sampled`, '', 'Self time by area:'];
  for (const a of summary.areas) lines.push(`  ${pct(a.ms)}  ${a.area}`);
  lines.push('', 'Self time by function:');
  for (const f of summary.functions) lines.push(`  ${pct(f.ms)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}
