// Large bodies: main-thread milliseconds of one 4 MB request body of each shape through the
// request-body pipeline (parse, every signal kind with the default ONNX models, decision, plan),
// against a baseline measured in the same run: JSON.parse of the same body alone. Main-thread
// time is the event loop's active time (performance.eventLoopUtilization), so the models' batch
// wait is not counted and their session.run (on this thread) is.
//   node dist/perf/large-body-bench.js [--rounds 5] [--shapes one-word,emoji]
// Two configs: "spliced" forwards the body with only "model" rewritten in place; "edited" adds a
// system prompt (what any body-editing plugin costs). The first row is a 3 KB prompt that fills
// the models' 512 tokens: what classifying any window-filling prompt costs, whatever its size.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.js';
import type { TextTokenizer } from '../src/inference/text-tokenizer.js';
import { ModelPool } from '../src/pipeline/model-pool.js';
import { onRequestBody } from '../src/pipeline/request-body.js';
import { buildSnapshot, type RoutingSnapshot } from '../src/pipeline/snapshot.js';
import { parseRequestBody } from '../src/protocol/parse.js';
import { cacheKeys } from '../src/state/identity.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const BODY_BYTES = 4 * 1024 * 1024 - 4096;

/** A user message whose JSON body is just under 4 MiB, the text made of `unit`. */
function oneMessage(unit: string): Buffer {
  const per = Buffer.byteLength(JSON.stringify(unit)) - 2;
  const text = unit.repeat(Math.floor((BODY_BYTES - 100) / per));
  return Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: text }] }));
}

function hexText(bytes: number): string {
  let x = 12345;
  let s = '';
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += '0123456789abcdef'[x >>> 28];
  }
  return s;
}

/** Nested objects to the depth limit around many small leaves, plus a short prompt. */
function deepJson(): Buffer {
  const leaves = Array.from({ length: 180_000 }, (_, i) => ({ k: `v${i}` }));
  let nested: unknown = leaves;
  for (let d = 0; d < 58; d++) nested = { a: nested };
  return Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Call the tool.' }], tools: [{ type: 'function', function: { name: 'f', parameters: nested } }] }));
}

const SHAPES: Record<string, () => Buffer> = {
  // Not 4 MB: a prompt that just fills the models' 512 tokens, the fixed cost any such prompt has.
  'reference-3kb': () => Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'please review the quarterly figures and explain the trend. '.repeat(55) }] })),
  'one-word': () => oneMessage('a'),
  hex: () => Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: hexText(BODY_BYTES - 100) }] })),
  'many-words': () => oneMessage('lorem ipsum dolor sit amet, consectetur adipiscing elit. '),
  'many-messages': () => {
    const text = 'please summarise the following section of the report. '.repeat(35);
    const messages = Array.from({ length: 2048 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: text }));
    return Buffer.from(JSON.stringify({ model: 'auto', messages }));
  },
  'deep-json': deepJson,
  whitespace: () => oneMessage(' '),
  punctuation: () => oneMessage('!?.,;:'),
  'multi-byte': () => oneMessage('é'),
  emoji: () => oneMessage('😀'),
  cjk: () => oneMessage('中文字符'),
  'combining-marks': () => oneMessage('\u0301'),
  invisible: () => oneMessage('\u200b'),
};

/** Every signal kind, enough keyword signals for the shared word set, and the default models. */
function benchConfig(edited: boolean) {
  const keywords = Array.from({ length: 8 }, (_, i) => ({ name: `kw${i}`, any: [`topic${i}`, `subject${i}`] }));
  return parseConfig({
    version: 'v1',
    routing: { auto_model_names: ['auto'], default_decision: 'general' },
    models: [
      { name: 'small', served_name: 'org/small', max_context_tokens: 32_768 },
      { name: 'large', served_name: 'org/large', max_context_tokens: 2_000_000 },
    ],
    signals: {
      keyword: [{ name: 'code', any: ['code', 'function', 'bug', 'python', 'stack trace'] }, { name: 'urgent', any: ['asap', 'urgent'], input: 'conversation' }, ...keywords],
      regex: [{ name: 'sql', patterns: ['\\bselect\\b[^;]*\\bfrom\\b', 'secret$'] }],
      language: [{ name: 'english', languages: ['en'] }],
      context: [{ name: 'long', min_tokens: 100_000 }],
      conversation: [{ name: 'multi', min_turns: 2 }],
      pii: [{ name: 'personal', input: 'conversation' }],
      domain: [{ name: 'math', labels: ['math'] }],
      jailbreak: [{ name: 'jailbreak', threshold: 0.999 }],
      embedding: [{ name: 'support', candidates: ['I need help with my account'] }],
    },
    decisions: [
      { name: 'block_jailbreak', priority: 1000, rules: 'jailbreak', plugins: { block: {} } },
      { name: 'private', priority: 500, rules: 'personal', models: [{ model: 'large' }] },
      { name: 'maths', priority: 200, rules: { all: ['math', 'english'] }, models: [{ model: 'large' }] },
      { name: 'coding', priority: 100, rules: { any: ['code', 'sql', 'urgent', ...keywords.map((k) => k.name)] }, models: [{ model: 'large' }] },
      { name: 'support', priority: 50, rules: { any: ['support', 'multi'] }, models: [{ model: 'small' }] },
      {
        name: 'general',
        rules: { any: ['long', { not: ['long'] }] },
        models: [{ model: 'small' }, { model: 'large' }],
        ...(edited ? { plugins: { system_prompt: { text: 'You are a helpful assistant.' } } } : {}),
      },
    ],
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Milliseconds the event loop was busy while `work` ran (idle waits excluded). */
async function mainThreadMs(work: () => unknown): Promise<number> {
  const start = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(start).active;
}

interface Row {
  shape: string;
  bodyBytes: number;
  textChars: number;
  tokenizedChars: number;
  parseMs: number;
  splicedMs: number;
  editedMs: number;
  cacheKeysMs: number;
  outcome: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, shapes: { type: 'string', default: Object.keys(SHAPES).join(',') } } });
  const rounds = Number(values.rounds);
  const quiet = { info: () => undefined, warn: () => undefined };
  const pool = new ModelPool(quiet);
  const snaps: Record<'spliced' | 'edited', RoutingSnapshot> = {
    spliced: await buildSnapshot(benchConfig(false), 'bench', { pool }),
    edited: await buildSnapshot(benchConfig(true), 'bench', { pool }),
  };
  const tokenizer = (snaps.spliced.models.get('domain') as { tokenizer: TextTokenizer }).tokenizer;
  const rows: Row[] = [];
  for (const shape of values.shapes.split(',')) {
    const raw = SHAPES[shape]!();
    const ir = parseRequestBody('openai.chat', raw, snaps.spliced.limits).ir;
    const text = ir.messages.at(-1)!.text;
    const samples = { parseMs: [] as number[], splicedMs: [] as number[], editedMs: [] as number[], cacheKeysMs: [] as number[] };
    let outcome = '';
    // Warm-up, then rounds alternating the measurements so machine noise lands on all of them.
    for (let r = -1; r < rounds; r++) {
      const parse = await mainThreadMs(() => JSON.parse(raw.toString('utf8')));
      const spliced = await mainThreadMs(async () => {
        const out = await onRequestBody(snaps.spliced, 'openai.chat', raw);
        outcome = out.kind === 'forward' ? `forward ${out.decision} → ${out.model}` : `reply ${out.status}`;
      });
      const edited = await mainThreadMs(() => onRequestBody(snaps.edited, 'openai.chat', raw));
      const keys = await mainThreadMs(() => cacheKeys({ tenant: 't', decision: 'general', model: 'small', protocol: ir.protocol, stream: false, ir }));
      if (r < 0) continue;
      samples.parseMs.push(parse);
      samples.splicedMs.push(spliced);
      samples.editedMs.push(edited);
      samples.cacheKeysMs.push(keys);
    }
    const row: Row = {
      shape,
      bodyBytes: raw.length,
      textChars: text.length,
      tokenizedChars: tokenizer.encode(text).textChars,
      parseMs: median(samples.parseMs),
      splicedMs: median(samples.splicedMs),
      editedMs: median(samples.editedMs),
      cacheKeysMs: median(samples.cacheKeysMs),
      outcome,
    };
    rows.push(row);
    process.stderr.write(`${shape}: parse ${row.parseMs.toFixed(1)} ms, pipeline ${row.splicedMs.toFixed(1)} / ${row.editedMs.toFixed(1)} ms (${outcome})\n`);
  }
  for (const s of Object.values(snaps)) s.release();
  await pool.close();

  const f = (x: number) => x.toFixed(1);
  const lines = [
    '| body (~4 MiB) | text chars | tokenized chars | JSON.parse ms | pipeline ms (spliced) | ratio | beyond parse ms | pipeline ms (edited) | ratio | cache keys ms | outcome |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.shape} | ${r.textChars} | ${r.tokenizedChars} | ${f(r.parseMs)} | ${f(r.splicedMs)} | ${(r.splicedMs / r.parseMs).toFixed(2)} | ${f(r.splicedMs - r.parseMs)} | ${f(r.editedMs)} | ${(r.editedMs / r.parseMs).toFixed(2)} | ${f(r.cacheKeysMs)} | ${r.outcome} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const outDir = path.join(root, 'perf', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `large-body-${new Date().toISOString().slice(0, 10)}.json`);
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg(), rounds };
  writeFileSync(file, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
