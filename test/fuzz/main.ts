// `make fuzz`: node dist/test/fuzz/main.js [--sequences 100000] [--seed 1] [--concurrency 32]
// [--answer-timeout-ms 5000]. Exits 1 on any wrong answer, hang or leaked stream, printing the
// first violations (rerun one with the same seed: sequenceAt(seed, id) rebuilds it).
import { parseArgs } from 'node:util';
import { runFuzz } from './run.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
    'answer-timeout-ms': { type: 'string', default: '5000' },
  },
});

let crashed: unknown;
process.on('uncaughtException', (e) => (crashed = e));
// A promise nobody settles would let the event loop empty and exit 0 silently: keep it alive.
const keepAlive = setInterval(() => undefined, 60_000);
const report = await runFuzz({
  sequences: Number(values.sequences),
  seed: Number(values.seed),
  concurrency: Number(values.concurrency),
  answerTimeoutMs: Number(values['answer-timeout-ms']),
  onProgress: (n) => process.stderr.write(`\r${n} sequences`),
});
process.stderr.write('\n');
clearInterval(keepAlive);
const byKind = new Map<string, number>();
for (const v of report.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
console.log(
  JSON.stringify({
    sequences: report.sequences,
    seed: Number(values.seed),
    seconds: Math.round(report.seconds),
    violations: Object.fromEntries(byKind),
    leaked_streams: report.leakedStreams,
    reaped_streams: report.reapedStreams,
    refused_and_replayed: report.refusedRetried,
    crashed: crashed ? (crashed instanceof Error ? crashed.stack : JSON.stringify(crashed)) : false,
  }),
);
for (const v of report.violations.slice(0, 10)) console.log(`sequence ${v.sequence}: ${v.kind}: ${v.detail}`);
process.exit(report.violations.length > 0 || report.leakedStreams > 0 || crashed ? 1 : 0);
