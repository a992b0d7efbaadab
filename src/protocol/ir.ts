// The internal request (IR): what routing sees of a request, whatever protocol it came in. Every
// signal, decision, plugin, affinity and cache step reads these fields, never the protocol's body
// shape, so an Anthropic or Responses request routes exactly as the same chat request would.

export type Protocol = 'openai.chat' | 'openai.completions' | 'openai.responses' | 'anthropic.messages';

/** The APIs a backend may serve natively (`models[].api`), one per protocol. */
export type Api = 'chat' | 'completions' | 'responses' | 'messages';

export const PROTOCOL_API: Readonly<Record<Protocol, Api>> = {
  'openai.chat': 'chat',
  'openai.completions': 'completions',
  'openai.responses': 'responses',
  'anthropic.messages': 'messages',
};

/** The upstream path of each API (vLLM's OpenAI- and Anthropic-compatible servers). */
export const API_PATH: Readonly<Record<Api, string>> = {
  chat: '/v1/chat/completions',
  completions: '/v1/completions',
  responses: '/v1/responses',
  messages: '/v1/messages',
};

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface IRMessage {
  role: Role;
  /** The message's text parts joined with newlines (images and audio are not text). */
  text: string;
  /** Number of tool calls an assistant message makes. */
  toolCalls: number;
  /**
   * What else the message carries that changes the answer (images, documents, tool call ids and
   * arguments), as sent: the cache fingerprints it. Fields of text blocks (cache_control,
   * citations) are left out, as for chat text parts: they do not change the answer. Chat messages leave it unset
   * (the cache reads their raw body message instead).
   */
  extra?: unknown;
}

export interface IRTool {
  name: string;
  description?: string;
}

export interface RoutingRequest {
  protocol: Protocol;
  /** The model the client asked for, as sent. */
  model: string;
  stream: boolean;
  /**
   * The conversation in order, chat-shaped: Anthropic `system` and Responses `instructions` come
   * first as a system message; Anthropic tool_result blocks and Responses function_call_output
   * items are `tool` messages; tool_use blocks and function_call items count as an assistant's tool calls.
   */
  messages: IRMessage[];
  /** Tool definitions were sent with the request. */
  hasTools: boolean;
  /** The tools' names and descriptions (empty when none). */
  tools: IRTool[];
  maxOutputTokens: number | undefined;
  /** Responses: the response this turn continues, when given. */
  previousResponseId?: string;
  /** The parsed JSON body, for plugins that rewrite it. Never mutate without copying. */
  body: Record<string, unknown>;
  /** The request headers Envoy sent (lower-case names), for header signals. */
  headers?: ReadonlyMap<string, string>;
  /**
   * Set while this request's trace records: model-backed signals report each inference call's
   * batch here (size, time queued, time run) and the trace makes a span of it.
   */
  onInference?: (model: string, batch: { batchSize: number; queuedMs: number; runMs: number }) => void;
}

export function lastUserText(ir: RoutingRequest): string {
  for (let i = ir.messages.length - 1; i >= 0; i--) {
    const m = ir.messages[i]!;
    if (m.role === 'user') return m.text;
  }
  return '';
}

/** The system, developer and instructions text, joined with newlines. */
export function systemText(ir: RoutingRequest): string {
  return ir.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => m.text)
    .join('\n');
}

/** A tool loop: the newest message is a tool result (the model is continuing a tool call). */
export function inToolLoop(ir: RoutingRequest): boolean {
  const role = ir.messages.at(-1)?.role;
  return role === 'tool' || role === 'function';
}
