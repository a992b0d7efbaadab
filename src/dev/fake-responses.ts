// The fake upstream's OpenAI Responses API (vLLM's /v1/responses): the deterministic answer of
// fake-answer.ts as a Response object (reasoning, message and function_call output items), or as
// the SSE events OpenAI streams, each with its type and sequence_number. Like vLLM, it stores each
// response (unless store is false) so that previous_response_id continues the whole chain, and
// GET/DELETE /v1/responses/{id} read and remove stored ones.
import { bytes, contentPieces, isObject, list, makeAnswer, namedEvent, openAiError, pickTool, textOf, type Answer, type Conversation, type Reply } from './fake-answer.js';

export interface ResponsesRequest {
  model?: unknown;
  input?: unknown;
  instructions?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  parallel_tool_calls?: unknown;
  previous_response_id?: unknown;
  store?: unknown;
  stream?: unknown;
  max_output_tokens?: unknown;
  reasoning?: unknown;
  metadata?: unknown;
  temperature?: unknown;
  top_p?: unknown;
  text?: unknown;
  truncation?: unknown;
}

type Item = Record<string, unknown>;

export type ResponseObject = Record<string, unknown> & { id: string; output: Item[] };

interface Stored {
  response: ResponseObject;
  /** The conversation up to and including this response's output, as input items. */
  items: Item[];
}

/** The stored responses of one upstream, the newest `limit` of them. */
export class ResponseStore {
  private readonly entries = new Map<string, Stored>();
  constructor(readonly limit = 1000) {}
  get(id: string): Stored | undefined {
    return this.entries.get(id);
  }
  set(id: string, entry: Stored): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limit) break;
      this.entries.delete(oldest);
    }
  }
  delete(id: string): boolean {
    return this.entries.delete(id);
  }
  get size(): number {
    return this.entries.size;
  }
}

/** The input as items: a string is one user message. */
export const inputItems = (input: unknown): Item[] => (typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : list(input).filter(isObject));

/** An item's type; easy input messages ({role, content}) have none. */
const kind = (it: Item) => (typeof it.type === 'string' ? it.type : it.role !== undefined ? 'message' : '');

function itemBytes(it: Item): number {
  const k = kind(it);
  if (k === 'message') return bytes(textOf(it.content));
  if (k === 'function_call') return bytes(typeof it.arguments === 'string' ? it.arguments : '');
  if (k === 'function_call_output') return bytes(textOf(it.output));
  if (k === 'reasoning') return bytes(textOf(it.summary)) + bytes(textOf(it.content));
  return 0;
}

/** The conversation (the chain's items, then this request's input) as the fake reads it. */
export function responsesConversation(items: Item[], b: ResponsesRequest): Conversation {
  const users = items.filter((it) => kind(it) === 'message' && it.role === 'user');
  let i = items.length;
  while (i > 0 && kind(items[i - 1]!) === 'function_call_output') i--;
  const offered = list(b.tools).flatMap((t) => (isObject(t) && t.type === 'function' && typeof t.name === 'string' ? [t.name] : []));
  const c = b.tool_choice;
  const choice = c === 'none' ? 'none' : isObject(c) && c.type === 'function' && typeof c.name === 'string' ? c.name : undefined;
  const effort = isObject(b.reasoning) ? b.reasoning.effort : undefined;
  return {
    userText: textOf(users.at(-1)?.content),
    toolResult: i < items.length ? items.slice(i).map((it) => textOf(it.output)).join(' ') : undefined,
    tool: pickTool(offered, choice),
    reasoning: typeof effort === 'string' && effort !== 'none',
    inputBytes: items.reduce((n, it) => n + itemBytes(it), typeof b.instructions === 'string' ? bytes(b.instructions) : 0),
  };
}

export function responseObject(upstream: string, model: string, a: Answer, seq: number, b: ResponsesRequest, createdAt: number): ResponseObject {
  const output: Item[] = [];
  if (a.reasoning !== undefined) output.push({ id: `rs_${upstream}_${seq}`, type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: a.reasoning }] });
  if (a.toolCall) {
    const { n, name, arguments: args } = a.toolCall;
    output.push({ id: `fc_${n}`, type: 'function_call', call_id: `call_${n}`, name, arguments: args, status: 'completed' });
  } else {
    output.push({ id: `msg_${upstream}_${seq}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: a.text, annotations: [], logprobs: [] }] });
  }
  const reasoning = isObject(b.reasoning) ? b.reasoning : {};
  return {
    id: `resp_${upstream}_${seq}`,
    object: 'response',
    created_at: createdAt,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    metadata: b.metadata ?? {},
    model,
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    store: b.store !== false,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage: {
      input_tokens: a.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: a.outputTokens,
      output_tokens_details: { reasoning_tokens: a.reasoningTokens },
      total_tokens: a.inputTokens + a.outputTokens,
    },
  };
}

/** The SSE events of a streamed response, as OpenAI sends them. */
export function responseEvents(r: ResponseObject): string[] {
  let n = 0;
  const out: string[] = [];
  const ev = (type: string, data: Record<string, unknown>) => out.push(namedEvent(type, { type, sequence_number: n++, ...data }));
  const pending = { ...r, status: 'in_progress', output: [], usage: null };
  ev('response.created', { response: pending });
  ev('response.in_progress', { response: pending });
  r.output.forEach((item, output_index) => {
    const at = { item_id: item.id, output_index };
    if (item.type === 'function_call') {
      const args = String(item.arguments);
      ev('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of contentPieces(args)) ev('response.function_call_arguments.delta', { ...at, delta });
      ev('response.function_call_arguments.done', { ...at, name: item.name, arguments: args });
    } else {
      const part = list(item.content)[0] as Item;
      const text = String(part.text);
      const textEvent = item.type === 'reasoning' ? 'response.reasoning_text' : 'response.output_text';
      const logprobs = item.type === 'reasoning' ? {} : { logprobs: [] };
      ev('response.output_item.added', { output_index, item: { ...item, content: [], ...(item.type === 'message' ? { status: 'in_progress' } : {}) } });
      ev('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '', ...(item.type === 'message' ? { annotations: [] } : {}) } });
      for (const delta of contentPieces(text)) ev(`${textEvent}.delta`, { ...at, content_index: 0, delta, ...logprobs });
      ev(`${textEvent}.done`, { ...at, content_index: 0, text, ...logprobs });
      ev('response.content_part.done', { ...at, content_index: 0, part });
    }
    ev('response.output_item.done', { output_index, item });
  });
  ev('response.completed', { response: r });
  return out;
}

const notFound = (id: string, param: string | null) => ({ status: 404, json: openAiError(`Response with id '${id}' not found.`, 'response_not_found', 'invalid_request_error', param) });

/** POST /v1/responses. */
export function answerResponses(store: ResponseStore, upstream: string, defaultModel: string, b: ResponsesRequest, seq: number): Reply {
  const prevId = b.previous_response_id;
  if (prevId !== undefined && prevId !== null && typeof prevId !== 'string') return { status: 400, json: openAiError('previous_response_id must be a string.', 'invalid_type', 'invalid_request_error', 'previous_response_id') };
  const prev = typeof prevId === 'string' ? store.get(prevId) : undefined;
  if (typeof prevId === 'string' && !prev) return notFound(prevId, 'previous_response_id');
  if (b.input === undefined && !prev) return { status: 400, json: openAiError("Missing required parameter: 'input'.", 'missing_required_parameter', 'invalid_request_error', 'input') };
  const items = [...(prev?.items ?? []), ...inputItems(b.input)];
  const model = typeof b.model === 'string' ? b.model : defaultModel;
  const r = responseObject(upstream, model, makeAnswer(upstream, model, responsesConversation(items, b), seq), seq, b, Math.floor(Date.now() / 1000));
  if (b.store !== false) store.set(r.id, { response: r, items: [...items, ...r.output] });
  return b.stream === true ? { status: 200, events: responseEvents(r) } : { status: 200, json: r };
}

/** GET /v1/responses/{id}. */
export function retrieveResponse(store: ResponseStore, id: string): Reply {
  const s = store.get(id);
  return s ? { status: 200, json: s.response } : notFound(id, null);
}

/** DELETE /v1/responses/{id}. */
export function deleteResponse(store: ResponseStore, id: string): Reply {
  return store.delete(id) ? { status: 200, json: { id, object: 'response', deleted: true } } : notFound(id, null);
}
