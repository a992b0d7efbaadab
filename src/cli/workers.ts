// `semroute serve --workers N`: N copies of the router behind one port, with node:cluster.
// The primary only supervises: it forks the workers, forwards SIGTERM and SIGHUP to them, restarts
// a worker that dies on its own (with backoff) and exits once every worker has exited after
// SIGTERM. Each worker runs the ordinary serve path.
//
// grpc-js listens through node's net module, so cluster's round-robin spreads CONNECTIONS, not
// streams: Envoy opens one connection per worker thread, so its --concurrency must be at least N.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../telemetry/logger.js';

export interface WorkersOptions {
  workers: number;
  logger: Logger;
  /** First restart delay; doubles on each crash in a row, up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A worker that lived this long resets the backoff. */
  stableMs?: number;
}

/** Restart delay after `crashes` crashes in a row (1 = the first). */
export function restartDelay(crashes: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, crashes - 1));
}

/** True in a process that should run the router itself (not a supervising primary). */
export function runsRouter(workers: number): boolean {
  return workers <= 1 || !cluster.isPrimary;
}

/**
 * In the primary: fork and supervise `workers` workers. Resolves with the exit code (0 when every
 * worker exited cleanly after SIGTERM/SIGINT, 1 otherwise) once all of them are gone.
 */
export function superviseWorkers(opts: WorkersOptions): Promise<number> {
  const { logger } = opts;
  const minMs = opts.minBackoffMs ?? 250;
  const maxMs = opts.maxBackoffMs ?? 30_000;
  const stableMs = opts.stableMs ?? 30_000;
  let stopping = false;
  let crashes = 0;
  let failed = false;
  const started = new Map<Worker, number>();
  const timers = new Set<NodeJS.Timeout>();

  const fork = () => {
    const w = cluster.fork();
    started.set(w, Date.now());
  };

  return new Promise((resolve) => {
    const forward = (signal: NodeJS.Signals) => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    };
    const stop = (signal: NodeJS.Signals, forwardIt: boolean) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping workers', { signal });
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (forwardIt) forward(signal);
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(failed ? 1 : 0);
    };
    process.on('SIGTERM', () => stop('SIGTERM', true));
    // Ctrl-C reaches every process of the group: the workers already have it.
    process.on('SIGINT', () => stop('SIGINT', false));
    process.on('SIGHUP', () => forward('SIGHUP'));

    cluster.on('exit', (w, code, signal) => {
      const lived = Date.now() - (started.get(w) ?? Date.now());
      started.delete(w);
      if (stopping) {
        if (code !== 0) failed = true;
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(failed ? 1 : 0);
        return;
      }
      crashes = lived >= stableMs ? 1 : crashes + 1;
      const delay = restartDelay(crashes, minMs, maxMs);
      logger.warn('worker exited; restarting', { pid: w.process.pid, code, signal, restart_in_ms: delay });
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopping) fork();
      }, delay);
      timers.add(t);
    });

    logger.info('starting workers', { workers: opts.workers });
    for (let i = 0; i < opts.workers; i++) fork();
  });
}
