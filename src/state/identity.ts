// Who a request belongs to and which keys it reads and writes in shared state: the tenant, the
// conversation's affinity key, the cache partition and exact-match key, and the client's
// cache-control wishes. Every identity is hashed before it is stored and scoped by the tenant.
//
// Affinity across turns with the `user` source (no session header or id in the body): the key is the
// user plus a fingerprint of the user side of the conversation (system, developer and user texts;
// assistant and tool messages are left out, because clients re-send the assistant's text edited:
// reasoning stripped, whitespace trimmed). A request reads the key of the conversation before its
// newest user message, and writes the key through it; turn N+1 reads exactly what turn N wrote,
// with no need to see turn N's answer. A tool-loop continuation (messages after the newest user
// message) reads and writes the key through that message, so it finds its own turn's pin.
// A first turn (no earlier user message) reads nothing: no pin can have been written for it.
import { createHash } from 'node:crypto';
import type { IRMessage, Protocol, RoutingRequest } from '../protocol/ir.js';
import type { CachePartition } from './types.js';

export type Headers = ReadonlyMap<string, string>;

export interface IdentityConfig {
  tenant_header: string;
  trusted: boolean;
}

export type SessionSource =
  | 'x-session-id'
  | 'x-conversation-id'
  | 'x-claude-code-session-id'
  | 'previous_response_id'
  | 'metadata.user_id'
  | 'user+conversation';

export interface SessionIdentity {
  /** sha256(tenant \0 source \0 value), hex. */
  key: string;
  source: SessionSource;
}

export interface PartitionInput {
  tenant: string;
  decision: string;
  model: string;
  protocol: Protocol;
  stream: boolean;
  ir: RoutingRequest;
  /** What routing does to the forwarded request (system prompt, reasoning, redaction, headers, backend model), fingerprinted. */
  route?: string;
}

export interface CacheControl {
  lookup: boolean;
  store: boolean;
}

export const ANONYMOUS_TENANT = 'anonymous';

/** Longer identity values (headers, body ids) are ignored: they are not ids, and would cost to hash. */
const MAX_IDENTITY_BYTES = 256;

/**
 * Request fields that do not change the answer; everything else in the body is part of the key.
 * The default is deliberate: a field not listed here (temperature, top_p, seed, n, max_tokens,
 * stop, logprobs, logit_bias, penalties, tools, tool_choice, response_format, reasoning_effort,
 * chat_template_kwargs, a field a new API version adds...) splits the partition, even where it
 * might not change this answer, because a cached answer served under the wrong one is wrong.
 * (n > 1 and logprobs answers are never stored: capture.ts.)
 */
const NEUTRAL_FIELDS = new Set([
  'model', // replaced by the chosen model
  'messages', // normalised separately
  'input', // idem (Responses)
  'prompt', // idem
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
  'request_id',
]);

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** JSON with object keys sorted at every depth, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (isRecord(value)) {
    const fields = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function boundedId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return v && Buffer.byteLength(v, 'utf8') <= MAX_IDENTITY_BYTES ? v : undefined;
}

export function tenantOf(headers: Headers, cfg: IdentityConfig): string {
  if (cfg.trusted) {
    const tenant = headers.get(cfg.tenant_header.toLowerCase())?.trim();
    if (!tenant) return ANONYMOUS_TENANT;
    // Hashed rather than dropped: dropping would merge an oversized tenant into anonymous.
    return Buffer.byteLength(tenant, 'utf8') <= MAX_IDENTITY_BYTES ? tenant : `sha256:${sha256Hex(tenant).slice(0, 32)}`;
  }
  const auth = headers.get('authorization')?.trim();
  return auth ? sha256Hex(auth).slice(0, 32) : ANONYMOUS_TENANT;
}

const identity = (tenant: string, source: SessionSource, value: string): SessionIdentity => ({
  key: sha256Hex(`${tenant}\0${source}\0${value}`),
  source,
});

/** A session id the client sends on every turn: header, then body fields, first found wins. */
function explicitSession(ir: RoutingRequest, headers: Headers): { source: SessionSource; value: string } | undefined {
  for (const source of ['x-session-id', 'x-conversation-id', 'x-claude-code-session-id'] as const) {
    const value = boundedId(headers.get(source));
    if (value) return { source, value };
  }
  const previous = boundedId(ir.body.previous_response_id);
  if (previous) return { source: 'previous_response_id', value: previous };
  const userId = isRecord(ir.body.metadata) ? boundedId(ir.body.metadata.user_id) : undefined;
  if (userId) return { source: 'metadata.user_id', value: userId };
  return undefined;
}

function lastUserIndex(messages: IRMessage[]): number {
  return messages.findLastIndex((m) => m.role === 'user');
}

/** The user-side fingerprint of messages[0, end). */
function userSideFingerprint(messages: IRMessage[], end: number): string {
  const userSide = messages
    .slice(0, end)
    .filter((m) => m.role === 'system' || m.role === 'developer' || m.role === 'user')
    .map((m) => [m.role, m.text.trim()]);
  return sha256Hex(canonicalJson(userSide));
}

/** The affinity key this request reads; undefined: no source, or a first turn with nothing to find. */
export function sessionIdentity(ir: RoutingRequest, headers: Headers, tenant: string): SessionIdentity | undefined {
  const explicit = explicitSession(ir, headers);
  if (explicit) return identity(tenant, explicit.source, explicit.value);
  const user = boundedId(ir.body.user);
  const last = lastUserIndex(ir.messages);
  if (!user || last < 0) return undefined;
  const continuation = last < ir.messages.length - 1;
  const end = continuation ? last + 1 : last;
  if (!ir.messages.slice(0, end).some((m) => m.role === 'user')) return undefined;
  return identity(tenant, 'user+conversation', `${user}\0${userSideFingerprint(ir.messages, end)}`);
}

/** The affinity key a Responses answer is pinned under: its next turn sends its id as previous_response_id. */
export function responseSessionIdentity(tenant: string, responseId: string): SessionIdentity {
  return identity(tenant, 'previous_response_id', responseId);
}

/**
 * The affinity key to write, which the conversation's next request will read. It equals
 * sessionIdentity for the stable sources. With previous_response_id the next turn sends this
 * response's id, so pass it (the upstream answer's `id`); without it there is nothing to write.
 */
export function nextTurnSessionIdentity(
  ir: RoutingRequest,
  headers: Headers,
  tenant: string,
  responseId?: string,
): SessionIdentity | undefined {
  const explicit = explicitSession(ir, headers);
  if (explicit?.source === 'previous_response_id') {
    const next = boundedId(responseId);
    return next ? identity(tenant, 'previous_response_id', next) : undefined;
  }
  if (explicit) return identity(tenant, explicit.source, explicit.value);
  const user = boundedId(ir.body.user);
  const last = lastUserIndex(ir.messages);
  if (!user || last < 0) return undefined;
  return identity(tenant, 'user+conversation', `${user}\0${userSideFingerprint(ir.messages, last + 1)}`);
}

/** A message as the cache sees it: role, trimmed text, non-text parts (images, audio) and other fields (tool calls). */
function normalisedMessage(m: IRMessage, raw: unknown): unknown[] {
  const rest: Json = { ...(isRecord(raw) ? raw : {}) };
  const content = rest.content;
  delete rest.role;
  delete rest.content;
  const media = Array.isArray(content) ? content.filter((p) => !(isRecord(p) && p.type === 'text')) : [];
  return [m.role, m.text.trim(), media, rest];
}

/** The request's input: chat messages normalised, or the completion prompt exactly as sent (whitespace matters there). */
function normalisedInput(ir: RoutingRequest): unknown {
  if (ir.protocol === 'openai.completions') return ir.body.prompt;
  // Anthropic and Responses: the chat-shaped IR, with what each message carries besides text.
  if (ir.protocol !== 'openai.chat') return ir.messages.map((m) => [m.role, m.text.trim(), m.extra ?? null]);
  const raw = Array.isArray(ir.body.messages) ? (ir.body.messages as unknown[]) : [];
  return ir.messages.map((m, i) => normalisedMessage(m, raw[i]));
}

/** The body fields that change the answer (sampling, limits, stop, seed, n, tools, formats, ...). */
function answerParams(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !NEUTRAL_FIELDS.has(k)));
}

/**
 * The conversation split for the cache: a fingerprint of everything except the newest user
 * message's text (the partition's part), and that text (the exact key's part). Completions have no
 * conversation: the prompt is the newest input.
 */
function splitConversation(ir: RoutingRequest): { context: string; newest: unknown } {
  if (ir.protocol === 'openai.completions') return { context: '', newest: ir.body.prompt };
  const input = normalisedInput(ir) as unknown[][];
  const last = lastUserIndex(ir.messages);
  if (last < 0) return { context: sha256Hex(canonicalJson(input)), newest: null };
  const newest = input[last]![1];
  input[last] = [input[last]![0], null, ...input[last]!.slice(2)];
  return { context: sha256Hex(canonicalJson(input)), newest };
}

/**
 * The partition an answer is stored in and looked up from, and the exact key within it. Besides
 * the listed fields the partition covers the conversation around the newest user message (system
 * prompt, earlier turns, tool results after it) and the answer-changing parameters, so a semantic
 * hit can only differ in the newest user text; the exact key adds that text. The conversation is
 * normalised and hashed once for both.
 */
export function cacheKeys(p: PartitionInput): { partition: CachePartition; exactKey: string } {
  const { context, newest } = splitConversation(p.ir);
  const fields = [p.tenant, p.decision, p.model, p.protocol, p.stream, context, answerParams(p.ir.body), ...(p.route !== undefined ? [p.route] : [])];
  const id = sha256Hex(canonicalJson(fields)).slice(0, 32);
  return { partition: { id, tenant: p.tenant }, exactKey: sha256Hex(`${id}\0${canonicalJson(newest)}`) };
}

/** cache-control: no-cache skips the lookup, no-store the write; x-semroute-cache: bypass skips both. */
export function cacheControl(headers: Headers): CacheControl {
  if (headers.get('x-semroute-cache')?.trim().toLowerCase() === 'bypass') return { lookup: false, store: false };
  const directives = new Set(
    (headers.get('cache-control') ?? '').split(',').map((d) => d.split('=', 1)[0]!.trim().toLowerCase()),
  );
  return { lookup: !directives.has('no-cache'), store: !directives.has('no-store') };
}
