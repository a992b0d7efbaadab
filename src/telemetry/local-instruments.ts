// Counters and histograms for the per-request path, aggregated in plain maps and handed to the
// OTel Prometheus serializer as MetricData at scrape time.
//
// Why not the SDK's instruments: every counter.add / histogram.record sorts and JSON-stringifies
// its attributes to find the series (hashAttributes), reads the clock and walks three layers of
// storage; a routed request records about ten of them, which measured 5–6% of the router's CPU
// under load (perf/README.md). Here a series is found by its label values joined in a fixed
// order, one Map lookup. The text is still written by @opentelemetry/exporter-prometheus, so the
// output (names, _total, buckets, escaping) is the SDK's own.
//
// Bounds: like the SDK's default cardinality limit, at most 2000 series per metric; the rest fold
// into one series labelled otel_metric_overflow="true".
import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { ValueType } from '@opentelemetry/api';

const MAX_SERIES = 2000;
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };
// Label values come from configuration and closed sets (metrics.ts) and never hold a NUL.
const SEP = '\u0000';

type Labels<K extends string> = Readonly<Record<K, string>>;

/** The series of one metric, keyed by its label values in `labelNames` order. */
class SeriesMap<K extends string, S> {
  private readonly series = new Map<string, { attrs: Attributes; state: S }>();
  private overflow: { attrs: Attributes; state: S } | undefined;

  constructor(
    private readonly labelNames: readonly K[],
    private readonly create: () => S,
  ) {}

  get(labels: Labels<K>): S {
    const names = this.labelNames;
    let key = names.length > 0 ? labels[names[0]!] : '';
    for (let i = 1; i < names.length; i++) key += SEP + labels[names[i]!];
    const hit = this.series.get(key);
    if (hit) return hit.state;
    if (this.series.size >= MAX_SERIES) return (this.overflow ??= { attrs: OVERFLOW, state: this.create() }).state;
    const attrs: Attributes = {};
    for (const n of names) attrs[n] = labels[n];
    const entry = { attrs, state: this.create() };
    this.series.set(key, entry);
    return entry.state;
  }

  entries(): Array<{ attrs: Attributes; state: S }> {
    const all = [...this.series.values()];
    if (this.overflow) all.push(this.overflow);
    return all;
  }
}

export interface LocalInstrument {
  collect(start: HrTime, end: HrTime): MetricData;
}

/** A monotonic counter (its name should end in _total). */
export class LocalCounter<K extends string> implements LocalInstrument {
  private readonly series: SeriesMap<K, { n: number }>;

  constructor(
    private readonly name: string,
    private readonly description: string,
    labelNames: readonly K[],
  ) {
    this.series = new SeriesMap(labelNames, () => ({ n: 0 }));
  }

  add(value: number, labels: Labels<K>): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    this.series.get(labels).n += value;
  }

  collect(startTime: HrTime, endTime: HrTime): MetricData {
    return {
      descriptor: { name: this.name, description: this.description, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: this.series.entries().map(({ attrs, state }) => ({ startTime, endTime, attributes: attrs, value: state.n })),
    };
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** An explicit-bucket histogram; a value lands in the first bucket whose bound is ≥ it, as in the SDK. */
export class LocalHistogram<K extends string> implements LocalInstrument {
  private readonly series: SeriesMap<K, HistogramState>;

  constructor(
    private readonly name: string,
    private readonly description: string,
    labelNames: readonly K[],
    private readonly boundaries: readonly number[],
  ) {
    this.series = new SeriesMap(labelNames, () => ({ counts: new Array<number>(boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity }));
  }

  /** Negative, NaN and infinite values are dropped (the SDK rejects negatives; NaN would poison the sum). */
  record(value: number, labels: Labels<K>): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    const s = this.series.get(labels);
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  collect(startTime: HrTime, endTime: HrTime): MetricData {
    const boundaries = [...this.boundaries];
    return {
      descriptor: { name: this.name, description: this.description, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: this.series.entries().map(({ attrs, state }) => ({
        startTime,
        endTime,
        attributes: attrs,
        value: { buckets: { boundaries, counts: [...state.counts] }, sum: state.sum, count: state.count, min: state.min, max: state.max },
      })),
    };
  }
}
