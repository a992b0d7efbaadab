// Runs inside a server under test: answers { type: 'stats' } on the IPC channel with the
// process's own view (event-loop delay since the previous request, heap, live handles).
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ChildStats {
  type: 'stats';
  /** Event-loop delay p99 (ms) since the previous stats request; null before any sample. */
  eventLoopP99Ms: number | null;
  heapUsedBytes: number;
  rssBytes: number;
  handles: number;
}

/** A server under test stops when the suite that started it goes away (its IPC channel closes). */
export function exitWithParent(): void {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

export function answerStatsRequests(): void {
  if (!process.send) return;
  exitWithParent();
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('message', (m: unknown) => {
    if ((m as { type?: string } | null)?.type !== 'stats') return;
    const p99 = h.count > 0 ? h.percentile(99) / 1e6 : null;
    h.reset();
    const mem = process.memoryUsage();
    const stats: ChildStats = { type: 'stats', eventLoopP99Ms: p99, heapUsedBytes: mem.heapUsed, rssBytes: mem.rss, handles: process.getActiveResourcesInfo().length };
    process.send?.(stats);
  });
}
