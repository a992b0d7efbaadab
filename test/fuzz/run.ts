// The ext_proc fuzz run: a real semroute (startRouter, as `semroute serve` runs it, with the demo
// config's signals and models plus the semantic cache and affinity on the memory store) on
// loopback, driven by seeded sequences over one gRPC channel and one raw HTTP/2 connection.
// After the run every stream must be released (semroute_extproc_streams_active back to 0).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startRouter, type RunningRouter } from '../../src/cli/router.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { extProcClient } from '../helpers/extproc-client.js';
import { RawExtProcConnection } from '../helpers/raw-extproc.js';
import { playSequence, type ProcessClient, type Violation } from './driver.js';
import { sequenceAt } from './sequences.js';

export interface FuzzOptions {
  sequences: number;
  seed: number;
  /** Sequences in flight at once. */
  concurrency: number;
  /** An answer later than this is a hang (generous: the machine may be busy). */
  answerTimeoutMs: number;
  onProgress?: (done: number) => void;
}

export interface FuzzReport {
  sequences: number;
  violations: Violation[];
  /** Streams still open when the run ended and the reaper had had its time. */
  leakedStreams: number;
  /** Sequences refused by a rotated connection before any answer, and replayed once. */
  refusedRetried: number;
  /** Streams the idle reaper had to cancel (peers that never said the stream ended). */
  reapedStreams: number;
  seconds: number;
}

/** The idle reaper's timeout in the fuzz run: short, so that leaks show quickly (a 4 MB message under load must still arrive well within it). */
const STREAM_IDLE_TIMEOUT_MS = 4000;

export function fuzzConfig(repoRoot: string) {
  const file = path.join(repoRoot, 'deploy/local/semroute.yaml');
  const doc = parse(readFileSync(file, 'utf8'));
  doc.listeners = { grpc: { address: '127.0.0.1:0', stream_idle_timeout_ms: Number(process.env.FUZZ_IDLE ?? STREAM_IDLE_TIMEOUT_MS), ...(process.env.FUZZ_AGE ? { max_connection_age_ms: Number(process.env.FUZZ_AGE) } : {}) }, admin: { address: '127.0.0.1:0' } };
  doc.state = { backend: 'memory' };
  doc.affinity = { enabled: true };
  doc.cache = { enabled: true };
  const general = doc.decisions.find((d: { name: string }) => d.name === 'general');
  general.plugins = { ...general.plugins, cache: { enabled: true } };
  doc.telemetry = { logging: { level: 'error' } };
  return parseConfig(doc, { source: 'fuzz config', baseDir: path.dirname(file) });
}

async function untilNoStreams(router: RunningRouter, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (router.extProc.openStreams > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export async function runFuzz(opts: FuzzOptions, repoRoot = process.cwd()): Promise<FuzzReport> {
  const started = performance.now();
  const router = await startRouter({ config: fuzzConfig(repoRoot), adminListen: 'off', logger: createLogger({ level: 'error' }) });
  const client: ProcessClient = extProcClient(router.grpcAddress);
  const raw = new RawExtProcConnection(router.grpcAddress.replace(/^.*?:\/\//, ''));
  const violations: Violation[] = [];
  let refusedRetried = 0;
  try {
    await raw.ready();
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < opts.sequences) {
        const seq = sequenceAt(opts.seed, next++);
        let found = await playSequence(seq, client, raw, opts.answerTimeoutMs);
        if (found.length > 0 && found.every((v) => v.kind === 'refused')) {
          // REFUSED_STREAM means the server processed nothing: safe to retry (RFC 9113 §8.7). It
          // happens only as grpc-js's client drains a rotated connection (it answers the GOAWAY
          // notice with its own GOAWAY, and streams it queued behind it are refused); Envoy closes a
          // drained connection only when idle. Replayed once; a second refusal counts.
          refusedRetried++;
          found = await playSequence(seq, client, raw, opts.answerTimeoutMs);
        }
        violations.push(...found);
        if (++done % 1000 === 0) opts.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    // Streams a peer abandoned are the reaper's: give it its timeout and a check interval, twice.
    await untilNoStreams(router, 2 * (STREAM_IDLE_TIMEOUT_MS + 1000) + 5000);
    const reaped = await reapedCount(router);
    return {
      sequences: opts.sequences,
      refusedRetried,
      violations,
      leakedStreams: router.extProc.openStreams,
      reapedStreams: reaped,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    client.close();
    raw.close();
    await router.close();
  }
}

/** semroute_extproc_streams_reaped_total from the router's own metrics. */
async function reapedCount(router: RunningRouter): Promise<number> {
  const text = await router.metrics.render();
  const line = text.split('\n').find((l) => l.startsWith('semroute_extproc_streams_reaped_total'));
  return line ? Number(line.split(' ').pop()) : 0;
}
