// What /proc says about a server process (Linux): CPU time, resident memory, open descriptors,
// and its children (the workers of a clustered server).
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface StatFields {
  ppid: number;
  /** user + system CPU, clock ticks. */
  cpuTicks: number;
}

/** /proc/<pid>/stat: the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): StatFields {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(rest[1]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
}

/** VmRSS from /proc/<pid>/status, in bytes. */
export function parseVmRss(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

const read = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = read(`/proc/${d}/stat`);
    if (s && parseStat(s).ppid === pid) out.push(Number(d));
  }
  return out;
}

export interface ProcSample {
  /** CPU seconds used so far by the process and its children (user + system). */
  cpuSeconds: number;
  rssBytes: number;
  fds: number;
}

/** The process and its direct children, summed. */
export function sampleProcessTree(pid: number): ProcSample {
  const pids = [pid, ...childPids(pid)];
  let ticks = 0;
  let rss = 0;
  let fds = 0;
  for (const p of pids) {
    const s = read(`/proc/${p}/stat`);
    const st = read(`/proc/${p}/status`);
    if (!s || !st) continue;
    ticks += parseStat(s).cpuTicks;
    rss += parseVmRss(st);
    try {
      fds += readdirSync(`/proc/${p}/fd`).length;
    } catch {
      // gone in between
    }
  }
  return { cpuSeconds: ticks / clockTicks(), rssBytes: rss, fds };
}
