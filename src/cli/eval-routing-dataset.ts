// The routing eval dataset: JSON lines of {"messages": [...]} (a chat conversation), {"text": "..."}
// (one user message) or {"body": {...}} (a whole request body of any protocol, with an optional
// "protocol": chat | completions | responses | messages, else inferred from the body's shape as
// `semroute explain` does; a body without "model" gets the first auto model name), with
// "expected_decision" and/or "expected_model". A line that cannot be used is kept as a bad line
// with its number and reason, never fatal.
import type { Protocol } from '../protocol/ir.js';
import { PROTOCOL_NAMES, protocolNamed } from './explain.js';

export interface RoutingCase {
  line: number;
  /** The chat messages ("text" and "messages" lines); empty for a "body" line. */
  messages: unknown[];
  /** A "body" line's request body, routed as it is (its model filled in when absent). */
  body?: Record<string, unknown>;
  /** A "body" line's "protocol", when given (else inferred from the body). */
  protocol?: Protocol;
  /** What the misroute list shows: the text, or the last user message's text. */
  text: string;
  expectedDecision?: string;
  expectedModel?: string;
}

export interface BadLine {
  line: number;
  error: string;
}

export interface RoutingDataset {
  /** Non-empty lines. */
  lines: number;
  cases: RoutingCase[];
  bad: BadLine[];
}

const TEXT_PARTS: ReadonlySet<unknown> = new Set(['text', 'input_text']);

/** The text of a message's content: a string, or the text parts of a content array (chat, Anthropic, Responses). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (typeof p === 'object' && p !== null && TEXT_PARTS.has((p as { type?: unknown }).type) ? (p as { text?: unknown }).text : undefined))
    .filter((t): t is string => typeof t === 'string')
    .join(' ');
}

function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (typeof m === 'object' && m !== null && m.role === 'user') return contentText(m.content);
  }
  return '';
}

/** A body's last user text: its messages (chat, Anthropic), its Responses input, or its prompt. */
function bodyText(body: Record<string, unknown>): string {
  if (Array.isArray(body.messages)) return lastUserText(body.messages);
  if (typeof body.input === 'string') return body.input;
  if (Array.isArray(body.input)) return lastUserText(body.input);
  if (typeof body.prompt === 'string') return body.prompt;
  if (Array.isArray(body.prompt) && typeof body.prompt[0] === 'string') return body.prompt[0];
  return '';
}

const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A "body" line's body and protocol, or the reason it cannot be one. */
function bodyCase(o: { body?: unknown; protocol?: unknown }): { body: Record<string, unknown>; protocol?: Protocol } | string {
  if (!isObject(o.body)) return '"body" must be a JSON object (a request body)';
  if (o.protocol === undefined) return { body: o.body };
  const protocol = typeof o.protocol === 'string' ? protocolNamed(o.protocol) : undefined;
  if (!protocol) return `unknown protocol ${JSON.stringify(o.protocol)} (${PROTOCOL_NAMES})`;
  return { body: o.body, protocol };
}

/** One line as a case, or the reason it cannot be one. */
function parseLine(raw: string, line: number): RoutingCase | BadLine {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { line, error: 'not valid JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { line, error: 'expected a JSON object' };
  const o = v as { text?: unknown; messages?: unknown; body?: unknown; protocol?: unknown; expected_decision?: unknown; expected_model?: unknown };
  if (o.text !== undefined && o.messages !== undefined) return { line, error: 'give "text" or "messages", not both' };
  if (o.body !== undefined && (o.text !== undefined || o.messages !== undefined)) return { line, error: 'give "body" alone, without "text" or "messages"' };
  if (o.protocol !== undefined && o.body === undefined) return { line, error: '"protocol" goes with "body" ("text" and "messages" are chat)' };
  let messages: unknown[] = [];
  let request: { body: Record<string, unknown>; protocol?: Protocol } | undefined;
  if (o.body !== undefined) {
    const parsed = bodyCase(o);
    if (typeof parsed === 'string') return { line, error: parsed };
    request = parsed;
  } else if (typeof o.text === 'string' && o.text.trim() !== '') messages = [{ role: 'user', content: o.text }];
  else if (Array.isArray(o.messages) && o.messages.length > 0) messages = o.messages;
  else return { line, error: 'no text: give a non-empty "text" or "messages"' };
  const expectedDecision = optionalString(o.expected_decision);
  const expectedModel = optionalString(o.expected_model);
  if (!expectedDecision && !expectedModel) return { line, error: 'no expectation: give "expected_decision" and/or "expected_model"' };
  return {
    line,
    messages,
    ...(request ? { body: request.body, ...(request.protocol ? { protocol: request.protocol } : {}) } : {}),
    text: request ? bodyText(request.body) : typeof o.text === 'string' ? o.text : lastUserText(messages),
    ...(expectedDecision ? { expectedDecision } : {}),
    ...(expectedModel ? { expectedModel } : {}),
  };
}

export function parseRoutingDataset(content: string): RoutingDataset {
  const dataset: RoutingDataset = { lines: 0, cases: [], bad: [] };
  content.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    dataset.lines++;
    const parsed = parseLine(raw, i + 1);
    if ('error' in parsed) dataset.bad.push(parsed);
    else dataset.cases.push(parsed);
  });
  return dataset;
}
