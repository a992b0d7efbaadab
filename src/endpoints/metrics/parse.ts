// One scrape's text → EndpointMetrics. The Prometheus text format is parsed by
// parse-prometheus-text-format; only the lines of the metrics the engine's signals use are handed
// to it (a vLLM /metrics page is mostly histograms: parsing all of it every 50 ms per endpoint
// would cost more than the picking). A scrape that lacks a required signal, or holds a value that
// is not a finite number, is an error: the endpoint then counts as unknown, never as idle.
import parsePrometheus from 'parse-prometheus-text-format';
import type { EndpointMetrics } from '../types.js';
import { metricNames, type EngineMetrics, type MetricRef } from './engines.js';

interface Family {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

export type ParseResult = { ok: true; metrics: EndpointMetrics } | { ok: false; error: string };

/** The lines of `text` that belong to the named metrics (samples, and their # TYPE / # HELP). */
export function relevantLines(text: string, names: ReadonlySet<string>): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let name = line;
    if (line.startsWith('# TYPE ') || line.startsWith('# HELP ')) name = line.slice(7);
    else if (line.startsWith('#')) continue;
    const end = name.search(/[\s{]/);
    if (names.has(end < 0 ? name : name.slice(0, end))) out.push(line);
  }
  // The parser drops a last line without its newline.
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function matches(labels: Record<string, string> | undefined, want: MetricRef['labels']): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (labels?.[k] !== v) return false;
  return true;
}

/** The series of the first reference present: summed (counts) or their max (fractions). */
function read(families: ReadonlyMap<string, Family>, refs: readonly MetricRef[], combine: 'sum' | 'max'): number | string {
  for (const ref of refs) {
    const fam = families.get(ref.name);
    if (!fam) continue;
    let acc: number | undefined;
    for (const m of fam.metrics) {
      if (!matches(m.labels, ref.labels)) continue;
      const v = Number(m.value);
      if (m.value === undefined || m.value.trim() === '' || !Number.isFinite(v)) return `${ref.name} has the value ${JSON.stringify(m.value)}`;
      acc = acc === undefined ? v : combine === 'sum' ? acc + v : Math.max(acc, v);
    }
    if (acc !== undefined) return acc;
  }
  return `no ${refs.map((r) => r.name).join(' or ')}`;
}

function adapters(v: string | undefined): string[] {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

export function parseMetrics(text: string, engine: EngineMetrics): ParseResult {
  let families: Family[];
  try {
    families = parsePrometheus(relevantLines(text, metricNames(engine)));
  } catch (e) {
    return { ok: false, error: `unparseable metrics: ${(e as Error).message}` };
  }
  const byName = new Map(families.map((f) => [f.name, f]));
  const waiting = read(byName, engine.waiting, 'sum');
  const running = read(byName, engine.running, 'sum');
  const kv = read(byName, engine.kvUsage, 'max');
  for (const v of [waiting, running, kv]) if (typeof v === 'string') return { ok: false, error: v };
  const metrics: EndpointMetrics = {
    waiting: Math.max(0, waiting as number),
    running: Math.max(0, running as number),
    kvUsage: Math.min(1, Math.max(0, kv as number)),
    runningAdapters: [],
    waitingAdapters: [],
  };
  // The info gauges are optional: an engine without LoRA or an older vLLM leaves them out.
  // vLLM writes one lora_requests_info series per change, its value the time of the change: the newest wins.
  const lora = engine.lora ? byName.get(engine.lora)?.metrics : undefined;
  if (lora && lora.length > 0) {
    const newest = lora.reduce((a, b) => (Number(b.value) > Number(a.value) ? b : a));
    metrics.runningAdapters = adapters(newest.labels?.running_lora_adapters);
    metrics.waitingAdapters = adapters(newest.labels?.waiting_lora_adapters);
    const max = Number(newest.labels?.max_lora);
    if (Number.isInteger(max) && max > 0) metrics.maxLora = max;
  }
  const cache = engine.cacheConfig ? byName.get(engine.cacheConfig)?.metrics[0] : undefined;
  const block = Number(cache?.labels?.block_size);
  if (Number.isInteger(block) && block > 0) metrics.blockSize = block;
  return { ok: true, metrics };
}
