// `semroute explain --config FILE [--protocol chat|completions] [--header 'NAME: VALUE']... [--json]
// [BODYFILE|-]`: builds the config's snapshot (models included) and prints how it routes one
// request body. Exit 0 when explained (a blocked or invalid request included), 1 for config or
// input errors, 2 for usage errors (thrown as UsageError / ConfigError for main to report).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { Protocol } from '../protocol/ir.js';
import { explainRequest } from '../pipeline/explain.js';
import type { RequestHeaders } from '../pipeline/headers.js';
import { buildSnapshot } from '../pipeline/snapshot.js';
import { formatExplain } from './explain-format.js';
import { UsageError } from './usage.js';

export interface ExplainIO {
  stdout(s: string): void;
  stdin: NodeJS.ReadableStream;
}

const PROTOCOLS: ReadonlyMap<string, Protocol> = new Map([
  ['chat', 'openai.chat'],
  ['completions', 'openai.completions'],
]);

/** chat | completions → the protocol; anything else is a usage error. */
export function protocolNamed(name: string): Protocol | undefined {
  return PROTOCOLS.get(name);
}

/** 'Name: value' flags as routing sees headers: lower-cased names, repeats joined with ", ". */
export function headersFromFlags(flags: readonly string[]): RequestHeaders {
  const headers = new Map<string, string>();
  for (const flag of flags) {
    const colon = flag.indexOf(':', 1); // from 1: a pseudo-header such as ":path: /x" keeps its colon
    const name = colon < 0 ? '' : flag.slice(0, colon).trim().toLowerCase();
    if (!name) throw new UsageError(`--header needs 'NAME: VALUE', got "${flag}"`);
    const value = flag.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return headers;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function parseExplainArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        protocol: { type: 'string', default: 'chat' },
        header: { type: 'string', short: 'H', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`explain: ${(e as Error).message}`);
  }
}

export async function runExplain(args: string[], io: ExplainIO): Promise<number> {
  const { values, positionals } = parseExplainArgs(args);
  if (!values.config) throw new UsageError('explain needs --config FILE');
  if (positionals.length > 1) throw new UsageError('explain takes at most one BODYFILE');
  const protocol = protocolNamed(values.protocol);
  if (!protocol) throw new UsageError(`unknown --protocol "${values.protocol}" (chat or completions)`);
  const headers = headersFromFlags(values.header);
  const source = positionals[0] ?? '-';

  const config = loadConfigFile(values.config);
  let body: Buffer;
  try {
    body = source === '-' ? await readAll(io.stdin) : await readFile(source);
  } catch (e) {
    throw new Error(`cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const snapshot = await buildSnapshot(config, values.config);
  try {
    const trace = await explainRequest(snapshot, protocol, body, headers);
    io.stdout(values.json ? `${JSON.stringify(trace)}\n` : formatExplain(trace));
    return 0;
  } finally {
    snapshot.release();
  }
}
