// Quick ext_proc benchmark: semroute (keyword routing, demo config) against a no-op ext_proc
// server on the same stack, both in child processes, measured in the same run and alternated so
// that machine noise hits both. Reports ratios to the no-op floor.
//   node dist/perf/extproc-bench.js [--seconds 5] [--concurrency 1,16,64] [--rounds 2]
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile, requestMix, runClosedLoop, type LoadResult } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, address: m[1]! });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

interface Row {
  server: string;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function row(server: string, concurrency: number, r: LoadResult): Row {
  return { server, concurrency, rps: r.requests / r.seconds, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), errors: r.errors };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '1,16,64' }, rounds: { type: 'string', default: '2' } },
  });
  const seconds = Number(values.seconds);
  const levels = values.concurrency.split(',').map(Number);
  const rounds = Number(values.rounds);

  const noop = await start([path.join(here, 'noop-server.js'), '127.0.0.1:0'], /listening (\S+)/);
  const semroute = await start(
    [path.join(root, 'dist/src/cli/main.js'), 'serve', '--config', path.join(root, 'deploy/local/semroute.yaml'), '--grpc-listen', '127.0.0.1:0', '--admin-listen', 'off'],
    /"msg":"semroute ready".*?"grpc":"([^"]+)"/,
  );
  const bodies = requestMix();
  const rows: Row[] = [];
  try {
    for (const c of levels) {
      // Warm both up, then alternate.
      await runClosedLoop(noop.address, c, 1, bodies);
      await runClosedLoop(semroute.address, c, 1, bodies);
      for (let r = 0; r < rounds; r++) {
        rows.push(row('noop', c, await runClosedLoop(noop.address, c, seconds, bodies)));
        rows.push(row('semroute', c, await runClosedLoop(semroute.address, c, seconds, bodies)));
      }
    }
  } finally {
    noop.child.kill('SIGTERM');
    semroute.child.kill('SIGTERM');
  }

  const lines = ['| concurrency | no-op rps | semroute rps | throughput ratio | no-op p50 ms | semroute p50 ms | p50 ratio | semroute p99 ms | errors |', '|---|---|---|---|---|---|---|---|---|'];
  for (const c of levels) {
    const pick = (s: string) => rows.filter((r) => r.server === s && r.concurrency === c);
    const mean = (rs: Row[], k: keyof Row) => rs.reduce((a, r) => a + (r[k] as number), 0) / rs.length;
    const n = pick('noop');
    const s = pick('semroute');
    lines.push(
      `| ${c} | ${mean(n, 'rps').toFixed(0)} | ${mean(s, 'rps').toFixed(0)} | ${(mean(s, 'rps') / mean(n, 'rps')).toFixed(2)} | ${mean(n, 'p50').toFixed(2)} | ${mean(s, 'p50').toFixed(2)} | ${(mean(s, 'p50') / mean(n, 'p50')).toFixed(2)} | ${mean(s, 'p99').toFixed(2)} | ${mean(n, 'errors') + mean(s, 'errors')} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
