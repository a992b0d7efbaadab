// Starts semroute for the suite: `node dist/perf/router-launcher.js --config FILE [--workers N]`.
// The same path as `semroute serve` (startRouter), on 127.0.0.1:0 with an admin listener, plus the
// suite's IPC stats. With --workers N it goes through src/cli/workers.ts (what `serve --workers`
// will do); every worker prints its own "perf-ready" line.
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../src/config/load.js';
import { startRouter } from '../src/cli/router.js';
import { runsRouter, superviseWorkers } from '../src/cli/workers.js';
import { openSync, writeSync } from 'node:fs';
import { createLogger, isLogLevel } from '../src/telemetry/logger.js';
import { answerStatsRequests, exitWithParent } from './child-stats.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      workers: { type: 'string', default: '1' },
      grpc: { type: 'string', default: '127.0.0.1:0' },
      // --log-level info --log-file /dev/null: pay for every line (the per-request one) without a reader.
      'log-level': { type: 'string', default: 'warn' },
      'log-file': { type: 'string' },
    },
  });
  if (!values.config) throw new Error('--config FILE is required');
  const workers = Number(values.workers);
  const level = values['log-level'];
  if (!isLogLevel(level)) throw new Error(`--log-level: debug, info, warn or error, not ${level}`);
  const fd = values['log-file'] ? openSync(values['log-file'], 'a') : undefined;
  const logger = createLogger({ level, ...(fd !== undefined ? { stream: { write: (s: string) => writeSync(fd, s) } } : {}) });
  if (!runsRouter(workers)) {
    if (process.send) exitWithParent();
    process.exitCode = await superviseWorkers({ workers, logger });
    return;
  }
  answerStatsRequests();
  const router = await startRouter({ config: loadConfigFile(values.config), grpcListen: values.grpc, adminListen: '127.0.0.1:0', logger });
  process.stdout.write(`perf-ready ${JSON.stringify({ grpc: router.grpcAddress, admin: router.adminUrl, pid: process.pid })}\n`);
  process.on('SIGHUP', () => void router.reload('signal'));
  process.on('SIGTERM', () => {
    void router.close().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`router-launcher: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
