import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface ProcSample {
  /** Resident set size now (VmRSS). */
  rssBytes: number;
  /** Highest RSS so far (VmHWM): the peak, which sampling alone would miss. */
  peakRssBytes: number;
  /** User + system CPU time consumed so far, in seconds. */
  cpuSeconds: number;
  /** performance.now() of the sample. */
  at: number;
}

/** One reading of a process from /proc (Linux only, as the benchmarks are). */
export function sampleProcess(pid: number): ProcSample {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // The command name (field 2) may hold spaces and parentheses; the fields after its closing ')' are fixed.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM'), cpuSeconds: ticks / CLK_TCK, at: performance.now() };
}

/** Direct children of a process (tsx's esbuild helper, for one). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids;
}

/** What a process used over a window: RSS sampled every second, CPU from the kernel's own accounting. */
export interface UsageSummary {
  seconds: number;
  rssMeanBytes: number;
  rssMaxBytes: number;
  /** VmHWM at the end: the highest RSS since the process started, including start-up and ramp-up. */
  peakRssBytes: number;
  /** Percent of one core (200 % = both cores of a 2-core machine busy). */
  cpuPercent: number;
}

/** Samples each process every second for `seconds`; `onTick` may print progress. */
export async function measureUsage(pids: number[], seconds: number, onTick?: (elapsed: number) => void): Promise<UsageSummary[]> {
  const first = pids.map(sampleProcess);
  const rss: number[][] = pids.map((_, i) => [first[i]!.rssBytes]);
  const started = performance.now();
  for (let s = 1; s <= seconds; s++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + s * 1000 - performance.now())));
    pids.forEach((pid, i) => rss[i]!.push(sampleProcess(pid).rssBytes));
    onTick?.(s);
  }
  return pids.map((pid, i) => {
    const last = sampleProcess(pid);
    const elapsed = (last.at - first[i]!.at) / 1000;
    const values = rss[i]!;
    return {
      seconds: elapsed,
      rssMeanBytes: values.reduce((a, b) => a + b, 0) / values.length,
      rssMaxBytes: Math.max(...values),
      peakRssBytes: last.peakRssBytes,
      cpuPercent: ((last.cpuSeconds - first[i]!.cpuSeconds) / elapsed) * 100,
    };
  });
}

/** `123.4 MB` (10^6 bytes, as `ps` and most dashboards print). */
export function formatMb(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}
