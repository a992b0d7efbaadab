// What mutual TLS costs on the ext_proc path: the keyword scenario (perf/configs/keyword.yaml)
// through two routers in this process, one plaintext and one with listeners.grpc.tls and a client
// CA, each driven by the same closed-loop generator (c in flight over 2 HTTP/2 connections, as
// Envoy's workers hold them), alternating in rounds so that a busy machine slows both alike.
// Reported as ratios to plaintext in the same run: throughput, p50 and p99 latency; and the cost
// of opening a connection (TCP + TLS handshake + one request), which connection rotation
// (listeners.grpc.max_connection_age_ms) pays once per connection and interval.
//
//   node dist/perf/tls-bench.js [--seconds 3] [--rounds 3] [--concurrency 16]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { startRouter, type RunningRouter } from '../src/cli/router.js';
import { loadConfigFile } from '../src/config/load.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createCa } from '../test/helpers/certs.js';
import { exchange } from './exchange.js';
import { ConnectionPool, runClosedLoop } from './load.js';
import { buildMix } from './mix.js';
import { repoRoot } from './servers.js';
import { summarize } from './stats.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '16' }, handshakes: { type: 'string', default: '200' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const NAME = 'semroute.bench';

const dir = mkdtempSync(path.join(tmpdir(), 'semroute-tls-bench-'));
const ca = await createCa();
const server = await ca.issue({ cn: 'semroute', usage: 'server', dns: [NAME] });
const client = await ca.issue({ cn: 'envoy', usage: 'client' });
const file = (name: string, pem: string) => {
  writeFileSync(path.join(dir, name), pem);
  return path.join(dir, name);
};
const base = loadConfigFile(path.join(repoRoot, 'perf/configs/keyword.yaml'));
const tls = { cert_file: file('tls.crt', server.cert), key_file: file('tls.key', server.key), client_ca_file: file('ca.crt', ca.cert), reload_interval_ms: 10_000, min_version: 'TLSv1.2' as const };
const routers: RunningRouter[] = [
  await startRouter({ config: base, grpcListen: '127.0.0.1:0', adminListen: 'off', logger: silentLogger }),
  await startRouter({ config: { ...base, listeners: { ...base.listeners, grpc: { ...base.listeners.grpc, tls } } }, grpcListen: '127.0.0.1:0', adminListen: 'off', logger: silentLogger }),
];
const credentials = [grpc.credentials.createInsecure(), grpc.credentials.createSsl(Buffer.from(ca.cert), Buffer.from(client.key), Buffer.from(client.cert))];
const options = [{}, { 'grpc.ssl_target_name_override': NAME, 'grpc.default_authority': NAME }];
const mix = buildMix({ size: 200, unique: true });
const labels = ['plaintext', 'mTLS'];

const results = labels.map(() => ({ requests: 0, seconds: 0, errors: 0, latencies: [] as number[], connect: [] as number[] }));
// Warm-up (JIT, connections) on both, not counted.
for (let i = 0; i < 2; i++) {
  const pool = new ConnectionPool(routers[i]!.grpcAddress, 2, credentials[i], options[i]);
  await runClosedLoop({ target: '', mix, seconds: 1, concurrency, pool });
  pool.close();
}
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < 2; i++) {
    const pool = new ConnectionPool(routers[i]!.grpcAddress, 2, credentials[i], options[i]);
    const res = await runClosedLoop({ target: '', mix, seconds, concurrency, pool });
    pool.close();
    const acc = results[i]!;
    acc.requests += res.requests;
    acc.seconds += res.seconds;
    acc.errors += res.errors;
    acc.latencies.push(...res.latencies);
    // Fresh connections, one request each: handshake included.
    for (let h = 0; h < Number(values.handshakes) / rounds; h++) {
      const one = new ConnectionPool(routers[i]!.grpcAddress, 1, credentials[i], options[i]);
      const t0 = performance.now();
      await exchange(one.pick(), mix[h % mix.length]!);
      acc.connect.push(performance.now() - t0);
      one.close();
    }
  }
}

const rows = results.map((x, i) => {
  const s = summarize(x.latencies);
  const c = summarize(x.connect);
  return { label: labels[i]!, rps: x.requests / x.seconds, p50: s.p50, p99: s.p99, connectP50: c.p50, errors: x.errors };
});
const [plain, mtls] = rows as [(typeof rows)[0], (typeof rows)[0]];
console.log(`keyword scenario, closed loop c=${concurrency} over 2 connections, ${rounds} rounds of ${seconds} s each (alternating)`);
for (const r of rows) console.log(`${r.label.padEnd(10)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  new connection + 1 request p50 ${r.connectP50.toFixed(2)} ms  errors ${r.errors}`);
console.log(`mTLS / plaintext: throughput ${(mtls.rps / plain.rps).toFixed(2)}, p50 ${(mtls.p50 / plain.p50).toFixed(2)}, p99 ${(mtls.p99 / plain.p99).toFixed(2)}, new connection ${(mtls.connectP50 / plain.connectP50).toFixed(2)}`);
for (const r of routers) await r.close();
rmSync(dir, { recursive: true, force: true });
