// `semroute explain --config FILE [--protocol chat|completions|responses|messages]
// [--header 'NAME: VALUE']... [--json] [BODYFILE|-]`: builds the config's snapshot (models
// included) and prints how it routes one request body. Without --protocol the protocol is read off
// the body's shape (inferProtocol in pipeline/explain.ts). Exit 0 when explained (a blocked or invalid request included), 1 for config or
// input errors, 2 for usage errors (thrown as UsageError / ConfigError for main to report).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { Protocol } from '../protocol/ir.js';
import { explainRequest, inferProtocolOf, type ExplainTrace } from '../pipeline/explain.js';
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
  ['responses', 'openai.responses'],
  ['messages', 'anthropic.messages'],
]);

/** The names --protocol, ?protocol= and a dataset's "protocol" take, for messages. */
export const PROTOCOL_NAMES = 'chat, completions, responses or messages';

/** chat | completions | responses | messages → the protocol; anything else is a usage error. */
export function protocolNamed(name: string): Protocol | undefined {
  return PROTOCOLS.get(name);
}

/**
 * The protocol to explain a body in: the named one, else the one its shape says (with why, for
 * the trace); undefined for a name that is no protocol. A body above `maxBodyBytes` is not read
 * (chat: the parse refuses it for its size).
 */
export function protocolFor(name: string | undefined, raw: Buffer, maxBodyBytes: number): { protocol: Protocol; inferred?: string } | undefined {
  if (name !== undefined) {
    const protocol = protocolNamed(name);
    return protocol ? { protocol } : undefined;
  }
  if (raw.length > maxBodyBytes) return { protocol: 'openai.chat', inferred: 'too large to read: chat' };
  const { protocol, why } = inferProtocolOf(raw);
  return { protocol, inferred: why };
}

/** The trace, saying why its protocol was inferred when it was. */
export function withInferred(trace: ExplainTrace, inferred: string | undefined): ExplainTrace {
  if (inferred === undefined) return trace;
  const { protocol, ...rest } = trace.request;
  return { ...trace, request: { protocol, inferred, ...rest } };
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
        protocol: { type: 'string' },
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
  if (values.protocol !== undefined && !protocolNamed(values.protocol)) throw new UsageError(`unknown --protocol "${values.protocol}" (${PROTOCOL_NAMES})`);
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
    const { protocol, inferred } = protocolFor(values.protocol, body, snapshot.limits.maxBodyBytes)!;
    const trace = withInferred(await explainRequest(snapshot, protocol, body, headers), inferred);
    io.stdout(values.json ? `${JSON.stringify(trace)}\n` : formatExplain(trace));
    return 0;
  } finally {
    snapshot.release();
  }
}
