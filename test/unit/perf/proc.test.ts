import { describe, expect, test } from '@jest/globals';
import { parseStat, parseVmRss } from '../../../perf/proc.js';
import { promValue } from '../../../perf/prometheus.js';
import { rssGrowth, type SoakSample } from '../../../perf/soak.js';

describe('/proc parsing', () => {
  test('stat: the command may hold spaces and parentheses', () => {
    const text = '1234 (node (x) y) S 77 1234 1234 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 11 0 5000 1000 200';
    expect(parseStat(text)).toEqual({ ppid: 77, cpuTicks: 281 });
  });
  test('status: VmRSS in bytes', () => {
    expect(parseVmRss('Name:\tnode\nVmRSS:\t  65536 kB\nThreads: 7\n')).toBe(65536 * 1024);
    expect(parseVmRss('Name:\tzombie\n')).toBeNaN();
  });
});

describe('promValue', () => {
  const text = [
    '# HELP semroute_event_loop_delay_seconds Event-loop delay p99',
    '# TYPE semroute_event_loop_delay_seconds gauge',
    'semroute_event_loop_delay_seconds_total 9',
    'semroute_event_loop_delay_seconds 0.0123',
    'semroute_requests_total{decision="coding",model="x"} 42 1700000000000',
  ].join('\n');
  test('reads a plain gauge, not a metric that only shares its prefix', () => {
    expect(promValue(text, 'semroute_event_loop_delay_seconds')).toBe(0.0123);
  });
  test('reads a labelled sample with a timestamp', () => {
    expect(promValue(text, 'semroute_requests_total')).toBe(42);
  });
  test('a missing metric is undefined', () => {
    expect(promValue(text, 'nope')).toBeUndefined();
  });
});

describe('rssGrowth', () => {
  const sample = (atSeconds: number, rssMb: number): SoakSample => ({ atSeconds, rssMb, heapUsedMb: null, handles: null, fds: 0, eventLoopP99Ms: null });
  test('compares the end with the state after warm-up, ignoring the warm-up itself', () => {
    const s = [sample(0, 50), sample(10, 90), sample(20, 100), sample(30, 100), sample(40, 100), sample(50, 110), sample(60, 110), sample(70, 110)];
    expect(rssGrowth(s, 20)).toBeCloseTo(0.1);
  });
  test('too few samples after warm-up give no figure', () => {
    expect(rssGrowth([sample(0, 1), sample(10, 2)], 60)).toBeNaN();
  });
});
