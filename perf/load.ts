// Load generators over a few shared HTTP/2 connections (Envoy: one per worker thread), one gRPC
// stream per request. Closed loop: a fixed number of requests in flight. Open loop: requests sent
// on a schedule whatever the server does; latency counts from the scheduled send time, so
// queueing shows, and a bound on outstanding requests drops (and counts) the excess.
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../src/extproc/proto.js';
import { arrivalOffsets, mulberry32, type ArrivalProcess } from './arrivals.js';
import { exchange, type ExtProcClient } from './exchange.js';
import type { MixItem } from './mix.js';

export { percentile } from './stats.js';

export interface LoadResult {
  requests: number;
  errors: number;
  /** Open loop: requests not sent because maxOutstanding were in flight. */
  dropped: number;
  seconds: number;
  /** Per-request latency, ms, in completion order. */
  latencies: number[];
  firstError?: string;
}

/** `connections` clients with their own subchannel pools: one HTTP/2 connection each. */
export class ConnectionPool {
  private readonly clients: ExtProcClient[];
  private next = 0;
  /** `credentials` and `options`: TLS as Envoy dials it (tls-bench.ts); default plaintext. */
  constructor(target: string, connections: number, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    const { ExternalProcessorClient } = loadProtos();
    this.clients = Array.from(
      { length: Math.max(1, connections) },
      () => new ExternalProcessorClient(target, credentials, { 'grpc.max_receive_message_length': -1, 'grpc.use_local_subchannel_pool': 1, ...options }) as never as ExtProcClient,
    );
  }
  pick(): ExtProcClient {
    return this.clients[this.next++ % this.clients.length]!;
  }
  close(): void {
    for (const c of this.clients) c.close();
  }
}

export interface LoadOptions {
  target: string;
  mix: MixItem[];
  seconds: number;
  connections?: number;
  /** A pool to use instead of one made from target and connections (not closed by the run). */
  pool?: ConnectionPool;
}

class Recorder {
  latencies: number[] = [];
  errors = 0;
  firstError: string | undefined;
  private n = 0;
  constructor(private readonly mix: MixItem[]) {}
  nextItem(): MixItem {
    return this.mix[this.n++ % this.mix.length]!;
  }
  async send(pool: ConnectionPool, from: number): Promise<void> {
    try {
      await exchange(pool.pick(), this.nextItem());
      this.latencies.push(performance.now() - from);
    } catch (e) {
      this.errors++;
      this.firstError ??= e instanceof Error ? e.message : String(e);
    }
  }
  result(start: number, dropped: number): LoadResult {
    const r: LoadResult = { requests: this.latencies.length, errors: this.errors, dropped, seconds: (performance.now() - start) / 1000, latencies: this.latencies };
    if (this.firstError !== undefined) r.firstError = this.firstError;
    return r;
  }
}

export async function runClosedLoop(opts: LoadOptions & { concurrency: number }): Promise<LoadResult> {
  const pool = opts.pool ?? new ConnectionPool(opts.target, opts.connections ?? 2);
  const rec = new Recorder(opts.mix);
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) await rec.send(pool, performance.now());
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  if (!opts.pool) pool.close();
  return rec.result(start, 0);
}

export interface OpenLoopOptions extends LoadOptions {
  rate: number;
  arrivals?: ArrivalProcess;
  maxOutstanding?: number;
  seed?: number;
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<LoadResult> {
  const pool = new ConnectionPool(opts.target, opts.connections ?? 2);
  const rec = new Recorder(opts.mix);
  const due = arrivalOffsets(opts.rate, opts.seconds, opts.arrivals ?? 'poisson', mulberry32(opts.seed ?? 7));
  const max = opts.maxOutstanding ?? 1000;
  const inflight = new Set<Promise<void>>();
  let dropped = 0;
  let i = 0;
  const start = performance.now();
  while (i < due.length) {
    const now = performance.now() - start;
    for (; i < due.length && due[i]! <= now; i++) {
      if (inflight.size >= max) {
        dropped++;
        continue;
      }
      const p = rec.send(pool, start + due[i]!).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    if (i < due.length) await new Promise((r) => setTimeout(r, Math.max(0, due[i]! - (performance.now() - start))));
  }
  await Promise.all(inflight);
  pool.close();
  return rec.result(start, dropped);
}
