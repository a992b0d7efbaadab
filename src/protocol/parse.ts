// Body bytes in, the IR out, or a RouterError a client can read.
import { z } from 'zod';
import { RouterError } from './errors.js';
import type { Protocol, RoutingRequest } from './ir.js';
import { scanJson } from './json-scan.js';
import { anthropicIRMessages, anthropicMessagesSchema, anthropicTools } from './anthropic.js';
import { responsesIRMessages, responsesSchema, responsesTools } from './responses.js';
import { chatCompletionSchema, chatTools, completionSchema, promptText, toIRMessages } from './openai.js';

export interface ParseLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxMessages: number;
}

export interface ParsedRequest {
  ir: RoutingRequest;
  /** Where the top-level "model" string sits in the raw body, for an in-place rewrite. */
  modelSpan: { start: number; end: number } | undefined;
}

/**
 * A union's own message ("Invalid input") says nothing; the branch that got furthest (its issue's
 * path is the longest: "content is a list, and element 1 has an unknown type") says what is wrong.
 */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const deep = deepestIssue(inner);
      if (!best || deep.path.length > best.path.length) best = deep;
    }
  }
  if (!best || best.path.length === 0) return issue;
  return { ...best, path: [...issue.path, ...best.path] };
}

function describeIssue(raw: z.core.$ZodIssue): { message: string; param: string | null } {
  const issue = deepestIssue(raw);
  const param = issue.path.length ? issue.path.map(String).join('.') : null;
  return { message: param ? `${param}: ${issue.message}` : issue.message, param };
}

/** One schema per message limit (they are built once: building a zod schema costs more than a parse). */
function memoised<S>(build: (maxMessages: number) => S): (maxMessages: number) => S {
  const cache = new Map<number, S>();
  return (maxMessages) => {
    let s = cache.get(maxMessages);
    if (!s) cache.set(maxMessages, (s = build(maxMessages)));
    return s;
  };
}
const chatSchema = memoised(chatCompletionSchema);
const messagesSchema = memoised((n) => anthropicMessagesSchema(n));
const countTokensSchema = memoised((n) => anthropicMessagesSchema(n, true));
const responseSchema = memoised(responsesSchema);

const PARSERS: Readonly<Record<Protocol, (doc: object, limits: ParseLimits) => RoutingRequest>> = {
  'openai.chat': parseChat,
  'openai.completions': parseCompletion,
  'anthropic.messages': (doc, limits) => parseMessages(doc, limits),
  'openai.responses': parseResponses,
};

/** `countTokens`: an Anthropic count_tokens body (a Messages body without max_tokens). */
export function parseRequestBody(protocol: Protocol, raw: Buffer, limits: ParseLimits, countTokens = false): ParsedRequest {
  if (raw.length === 0) throw new RouterError('missing_body', 'The request body is empty; a JSON body is required.');
  if (raw.length > limits.maxBodyBytes) {
    throw new RouterError('body_too_large', `The request body exceeds the limit of ${limits.maxBodyBytes} bytes.`);
  }
  const scan = scanJson(raw, limits.maxJsonDepth, ['model']);
  if (!scan) {
    throw new RouterError('json_too_deep', `The request body nests deeper than ${limits.maxJsonDepth} levels.`);
  }
  if (scan.duplicateKeys.length > 0) {
    throw new RouterError('invalid_request', `Duplicate key "${scan.duplicateKeys[0]}" in the request body.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new RouterError('invalid_json', `The request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new RouterError('invalid_request', 'The request body must be a JSON object.');
  }

  const ir = countTokens ? parseMessages(doc, limits, countTokensSchema) : PARSERS[protocol](doc, limits);
  const span = scan.topLevelStrings.get('model');
  // Trust the span only if it decodes to what JSON.parse saw.
  const modelSpan =
    span && JSON.parse(raw.subarray(span.start, span.end).toString('utf8')) === ir.model ? span : undefined;
  return { ir, modelSpan };
}

function fail(error: z.ZodError): never {
  const { message, param } = describeIssue(error.issues[0]!);
  throw new RouterError('invalid_request', message, param);
}

function parseChat(doc: object, limits: ParseLimits): RoutingRequest {
  const r = chatSchema(limits.maxMessages).safeParse(doc);
  if (!r.success) fail(r.error);
  const b = r.data;
  return {
    protocol: 'openai.chat',
    model: b.model,
    stream: b.stream ?? false,
    messages: toIRMessages(b.messages),
    hasTools: (b.tools?.length ?? 0) > 0,
    tools: chatTools(b.tools),
    maxOutputTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    body: b,
  };
}

function parseCompletion(doc: object): RoutingRequest {
  const r = completionSchema.safeParse(doc);
  if (!r.success) fail(r.error);
  const b = r.data;
  return {
    protocol: 'openai.completions',
    model: b.model,
    stream: b.stream ?? false,
    messages: [{ role: 'user', text: promptText(b.prompt), toolCalls: 0 }],
    hasTools: false,
    tools: [],
    maxOutputTokens: b.max_tokens ?? undefined,
    body: b,
  };
}

function parseMessages(doc: object, limits: ParseLimits, schema = messagesSchema): RoutingRequest {
  const r = schema(limits.maxMessages).safeParse(doc);
  if (!r.success) fail(r.error);
  const b = r.data;
  const tools = anthropicTools(b);
  return {
    protocol: 'anthropic.messages',
    model: b.model,
    stream: b.stream ?? false,
    messages: anthropicIRMessages(b),
    hasTools: tools.length > 0,
    tools,
    maxOutputTokens: b.max_tokens,
    body: b,
  };
}

function parseResponses(doc: object, limits: ParseLimits): RoutingRequest {
  const r = responseSchema(limits.maxMessages).safeParse(doc);
  if (!r.success) fail(r.error);
  const b = r.data;
  if (b.input === undefined && !b.previous_response_id) throw new RouterError('invalid_request', 'input: input is required', 'input');
  const tools = responsesTools(b);
  return {
    protocol: 'openai.responses',
    model: b.model,
    stream: b.stream ?? false,
    messages: responsesIRMessages(b),
    hasTools: tools.length > 0,
    tools,
    maxOutputTokens: b.max_output_tokens ?? undefined,
    ...(b.previous_response_id ? { previousResponseId: b.previous_response_id } : {}),
    body: b,
  };
}
