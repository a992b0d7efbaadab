// The performance suite: semroute against the no-op ext_proc floor, scenario by scenario, in the
// same run; worker scaling; soak.
//   node dist/perf/suite.js [--quick] [--scenarios keyword,keyword-10] [--workers 1,2] [--soak MINUTES]
// Full runs write perf/results/<date>-<scenario>.{json,md,svg} and update perf/README.md between
// its markers; --quick only prints.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measureScenario, type LevelPlan, type LevelResult, type RunSettings } from './bench-run.js';
import { buildMix } from './mix.js';
import { describeMachine, keywordVerdicts, levelTable, machineLine, replaceBetweenMarkers, resultFileName, verdictList } from './report.js';
import { measureScaling, scalingTable, type ScalingRow, type ScalingSettings } from './scaling.js';
import { SCENARIOS, validateConfig } from './scenarios.js';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';
import { repoRoot, startFloor, startSemroute } from './servers.js';
import { runSoak } from './soak.js';
import { renderChart } from './svg-chart.js';
import { soakSection } from './soak-report.js';

const log = (l: string) => process.stdout.write(`${l}\n`);
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const uptime = () => {
  try {
    return execFileSync('uptime').toString().trim();
  } catch {
    return 'uptime unavailable';
  }
};

interface ScenarioOutcome {
  name: string;
  description: string;
  rows: LevelResult[];
}

function chart(o: ScenarioOutcome, mode: 'open' | 'closed'): string | undefined {
  const rows = o.rows.filter((r) => r.mode === mode);
  if (!rows.length) return undefined;
  return renderChart({
    title: `${o.name}: latency vs ${mode === 'open' ? 'offered rate' : 'concurrency'}`,
    xLabel: mode === 'open' ? 'offered requests/s (open loop)' : 'concurrent streams (closed loop)',
    yLabel: 'latency ms',
    xLevels: rows.map((r) => String(r.level)),
    series: [
      { name: 'floor p50', color: '#888', values: rows.map((r) => r.floor.latency.p50) },
      { name: 'floor p99', color: '#888', dashed: true, values: rows.map((r) => r.floor.latency.p99) },
      { name: 'semroute p50', color: '#1f77b4', values: rows.map((r) => r.semroute.latency.p50) },
      { name: 'semroute p99', color: '#1f77b4', dashed: true, values: rows.map((r) => r.semroute.latency.p99) },
    ],
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      workers: { type: 'string' },
      soak: { type: 'string' },
      'soak-rate': { type: 'string', default: '800' },
      connections: { type: 'string', default: '2' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      rates: { type: 'string' },
    },
  });
  const quick = values.quick;
  const machine = describeMachine();
  const started = new Date();
  const resultsDir = path.join(repoRoot, 'perf', 'results');
  const readme = path.join(repoRoot, 'perf', 'README.md');
  const mix = buildMix({ seed: 42, size: 400 });
  log(`machine: ${machineLine(machine)}\n${uptime()}`);

  if (values.soak !== undefined) {
    const minutes = Number(values.soak || 30);
    const cfg = SCENARIOS.find((s) => s.name === 'keyword')!.config();
    const server = await startSemroute(cfg);
    log(`soak: keyword scenario, ${values['soak-rate']}/s open loop for ${minutes} min, samples every 10 s`);
    try {
      const res = await runSoak(server, mix, { minutes, rate: Number(values['soak-rate']), intervalSeconds: 10, connections: Number(values.connections) }, log);
      const section = soakSection(res, machineLine(machine), uptime(), started);
      log(section);
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(path.join(resultsDir, resultFileName(started, 'soak', 'json')), JSON.stringify({ machine, uptimeAtEnd: uptime(), ...res }, null, 2));
      writeFileSync(readme, replaceBetweenMarkers(readFileSync(readme, 'utf8'), section, '<!-- soak:begin -->', '<!-- soak:end -->'));
    } finally {
      await server.close();
    }
    return;
  }

  const settings: RunSettings = {
    seconds: Number(values.seconds ?? (quick ? 2 : 5)),
    warmupSeconds: quick ? 0.5 : 1,
    rounds: Number(values.rounds ?? (quick ? 1 : 2)),
    connections: Number(values.connections),
    maxOutstanding: 1000,
  };
  const plans: LevelPlan[] = [
    ...list(values.concurrency ?? (quick ? '16' : '1,16,64')).map((c) => ({ mode: 'closed' as const, level: Number(c) })),
    ...list(values.rates ?? (quick ? '1000' : '250,1000,2000')).map((r) => ({ mode: 'open' as const, level: Number(r) })),
  ];
  const wanted = values.scenarios ? list(values.scenarios) : SCENARIOS.filter((s) => !s.optIn).map((s) => s.name);
  const outcomes: ScenarioOutcome[] = [];
  const floor = await startFloor();
  let redis: RedisServer | undefined;
  try {
    for (const name of wanted) {
      const sc = SCENARIOS.find((s) => s.name === name);
      if (!sc) throw new Error(`unknown scenario "${name}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
      if (sc.redis) {
        // A fresh server per scenario: one scenario's entries must not turn the next one's misses into hits.
        await redis?.close();
        redis = await startRedisServer();
        process.env.SEMROUTE_REDIS_URL = redis.url;
      }
      const file = sc.config();
      validateConfig(file);
      log(`scenario ${name}: ${sc.description}`);
      const semroute = await startSemroute(file);
      try {
        outcomes.push({ name, description: sc.description, rows: await measureScenario(floor, semroute, plans, sc.mix(), settings, log) });
      } finally {
        await semroute.close();
      }
    }
  } finally {
    await floor.close();
    await redis?.close();
  }

  const workers = list(values.workers ?? (quick ? '' : '1,2')).map(Number);
  let scaling: { rows: ScalingRow[]; settings: ScalingSettings } | undefined;
  if (workers.length) {
    const s: ScalingSettings = { workers, concurrency: 64, connections: Math.max(4, 2 * Math.max(...workers)), seconds: settings.seconds, warmupSeconds: settings.warmupSeconds, rounds: settings.rounds };
    log(`scaling: keyword scenario, workers ${workers.join(', ')}`);
    scaling = { rows: await measureScaling(SCENARIOS[0]!.config(), mix, s, log), settings: s };
  }

  const sections: string[] = [`Run ${started.toISOString().slice(0, 16)}Z on ${machineLine(machine)}.`, `At the end: \`${uptime()}\`.`, `Settings: ${settings.rounds} rounds × ${settings.seconds} s per server and level after ${settings.warmupSeconds} s warm-up, ${settings.connections} HTTP/2 connections, open loop Poisson with at most ${settings.maxOutstanding} outstanding.`];
  for (const o of outcomes) {
    const svg = resultFileName(started, o.name, 'svg');
    sections.push(`### ${o.name}\n\n${o.description}.\n\n${levelTable(o.rows)}`);
    if (o.name === 'keyword') sections.push(`Targets:\n\n${verdictList(keywordVerdicts(o.rows))}`);
    if (!quick) sections.push(`![${o.name} latency vs offered rate](results/${svg}) ![${o.name} latency vs concurrency](results/${resultFileName(started, `${o.name}-closed`, 'svg')})`);
  }
  if (scaling) sections.push(`### Workers (node:cluster)\n\n${scalingTable(scaling.rows, scaling.settings)}`);
  const text = sections.join('\n\n');
  log(`\n${text}`);
  if (quick) return;

  mkdirSync(resultsDir, { recursive: true });
  for (const o of outcomes) {
    writeFileSync(path.join(resultsDir, resultFileName(started, o.name, 'json')), JSON.stringify({ scenario: o.name, description: o.description, date: started.toISOString(), machine, uptimeAtEnd: uptime(), settings, levels: o.rows }, null, 2));
    writeFileSync(path.join(resultsDir, resultFileName(started, o.name, 'md')), `# ${o.name}\n\n${machineLine(machine)}\n\n${levelTable(o.rows)}\n`);
    const open = chart(o, 'open');
    const closed = chart(o, 'closed');
    if (open) writeFileSync(path.join(resultsDir, resultFileName(started, o.name, 'svg')), open);
    if (closed) writeFileSync(path.join(resultsDir, resultFileName(started, `${o.name}-closed`, 'svg')), closed);
  }
  if (scaling) writeFileSync(path.join(resultsDir, resultFileName(started, 'scaling', 'json')), JSON.stringify({ date: started.toISOString(), machine, ...scaling }, null, 2));
  writeFileSync(readme, replaceBetweenMarkers(readFileSync(readme, 'utf8'), text));
  log(`\nwrote ${resultsDir} and updated perf/README.md`);
}

main().catch((e: unknown) => {
  process.stderr.write(`suite: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
