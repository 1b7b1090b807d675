/** Summaries of V8 .cpuprofile files (node --cpu-prof): self time by function and by package. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time not idle / GC / program. */
  busyMs: number;
  idleMs: number;
  gcMs: number;
  topFunctions: { name: string; selfMs: number; pct: number }[];
  byPackage: { name: string; selfMs: number; pct: number }[];
}

function pkgOf(url: string): string {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  const p = /\/(dist\/)?(src|workflows|activities|bench)\//.exec(url);
  if (p) return `aftercare ${p[2]}`;
  if (url.includes('workflow-bundle')) return 'workflow bundle (vm)';
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  const samples = prof.samples ?? [];
  const deltas = prof.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  let total = 0;
  for (const n of prof.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    total += us;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (name === '(garbage collector)') gc += us;
    const file = n.callFrame.url
      .replace(/^file:\/\//, '')
      .split('/')
      .slice(-2)
      .join('/');
    const key = `${name} ${file}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = name.startsWith('(') ? name : pkgOf(n.callFrame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const busy = total - idle;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), pct: Math.round((1000 * us) / Math.max(1, busy)) / 10 }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    gcMs: Math.round(gc / 1000),
    topFunctions: list(fn),
    byPackage: list(pkg),
  };
}

/** The newest profile in `dir` (node names them CPU.<date>.<pid>...cpuprofile). */
export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}
