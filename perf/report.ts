// Result files, markdown tables and the README section between markers.
import os from 'node:os';
import type { LevelResult } from './bench-run.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  memoryGb: number;
  /** 1/5/15-minute load averages when the run started. */
  loadAverage: number[];
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverage.join(' / ')}`;
}

/** perf/results/2026-11-24-keyword.json */
export function resultFileName(date: Date, scenario: string, ext: 'json' | 'md' | 'svg'): string {
  return `${date.toISOString().slice(0, 10)}-${scenario.replace(/[^a-z0-9-]+/gi, '-')}.${ext}`;
}

const n = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));

export function levelTable(rows: LevelResult[]): string {
  const head = [
    'load',
    'floor rps',
    'semroute rps',
    'rps ratio',
    'floor p50 / p99 ms',
    'semroute p50 / p90 / p99 / p99.9 ms',
    'p50 ratio',
    'added p50 / p90 / p99 / p99.9 ms',
    'CPU ms/req floor / semroute',
    'semroute RSS MB before → after',
    'loop delay p99 ms floor / semroute',
    'errors',
    'dropped',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const f = r.floor;
    const s = r.semroute;
    lines.push(
      `| ${r.mode === 'closed' ? `c=${r.level}` : `${r.level}/s open`} | ${n(f.rps, 0)} | ${n(s.rps, 0)} | ${n(r.throughputRatio)} | ${n(f.latency.p50)} / ${n(f.latency.p99)} | ${n(s.latency.p50)} / ${n(s.latency.p90)} / ${n(s.latency.p99)} / ${n(s.latency.p999)} | ${n(r.p50Ratio)} | ${n(r.added.p50)} / ${n(r.added.p90)} / ${n(r.added.p99)} / ${n(r.added.p999)} | ${n(f.cpuMsPerRequest, 3)} / ${n(s.cpuMsPerRequest, 3)} | ${n(s.rssBeforeMb, 0)} → ${n(s.rssAfterMb, 0)} | ${n(f.eventLoopP99Ms, 1)} / ${n(s.eventLoopP99Ms, 1)} | ${f.errors + s.errors} | ${f.dropped + s.dropped} |`,
    );
  }
  return lines.join('\n');
}

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

/** The keyword-only targets: ≥ 0.8× the floor's throughput and p50 ≤ 1.25× at the same concurrency, no errors. */
export function keywordVerdicts(rows: LevelResult[]): Verdict[] {
  const closed = rows.filter((r) => r.mode === 'closed');
  const minRatio = Math.min(...closed.map((r) => r.throughputRatio));
  const maxP50 = Math.max(...closed.map((r) => r.p50Ratio));
  const errors = rows.reduce((a, r) => a + r.floor.errors + r.semroute.errors, 0);
  return [
    { target: 'throughput ≥ 0.8× floor (closed loop, every concurrency)', measured: `worst ${n(minRatio)}×`, met: minRatio >= 0.8 },
    { target: 'p50 ≤ 1.25× floor (closed loop, every concurrency)', measured: `worst ${n(maxP50)}×`, met: maxP50 <= 1.25 },
    { target: 'zero errors', measured: String(errors), met: errors === 0 },
  ];
}

export function verdictList(vs: Verdict[]): string {
  return vs.map((v) => `- ${v.met ? 'met' : '**not met**'}: ${v.target}: ${v.measured}`).join('\n');
}

/** Replaces what lies between the two marker lines (kept); appends both when they are missing. */
export function replaceBetweenMarkers(text: string, content: string, begin = '<!-- bench:begin -->', end = '<!-- bench:end -->'): string {
  const b = text.indexOf(begin);
  const e = text.indexOf(end);
  if (b < 0 || e < b) return `${text.trimEnd()}\n\n${begin}\n${content.trim()}\n${end}\n`;
  return `${text.slice(0, b + begin.length)}\n${content.trim()}\n${text.slice(e)}`;
}
