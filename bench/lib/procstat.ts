/** Memory and CPU of a process from /proc (Linux): what the benchmarks report per process. */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcSample {
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size so far, bytes. */
  hwm: number;
  /** User + system CPU time consumed so far, ms. */
  cpuMs: number;
}

export function sampleProc(pid: number | undefined): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU ms consumed by this process (the load generator) so far. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU time spent per named process between `start()` and `stop()`, plus peak RSS seen by periodic samples. */
export class CpuMeter {
  private readonly start0 = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private self0 = 0;

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  start(): void {
    this.t0 = Date.now();
    this.self0 = selfCpuMs();
    for (const [name, pid] of Object.entries(this.pids())) {
      const s = sampleProc(pid);
      if (s) this.start0.set(name, s.cpuMs);
    }
    this.timer = setInterval(() => this.samplePeaks(), 500);
    this.timer.unref();
  }

  private samplePeaks(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      const s = sampleProc(pid);
      if (s) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, s.rss));
    }
  }

  /** CPU ms per process (and `driver` = this process) and the share of one core each used over the window. */
  stop(): { wallMs: number; cpuMs: Record<string, number>; cores: Record<string, number>; peakRss: Record<string, number> } {
    if (this.timer) clearInterval(this.timer);
    this.samplePeaks();
    const wallMs = Date.now() - this.t0;
    const cpuMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const s = sampleProc(pid);
      const s0 = this.start0.get(name);
      if (s && s0 !== undefined) cpuMs[name] = s.cpuMs - s0;
    }
    cpuMs.driver = selfCpuMs() - this.self0;
    const cores = Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, v / wallMs]));
    return { wallMs, cpuMs, cores, peakRss: Object.fromEntries(this.peak) };
  }
}

/** 1-minute load average: other work on the machine shows up here. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}
