// The internal request (IR): what routing sees of a request, whatever protocol it came in.

export type Protocol = 'openai.chat' | 'openai.completions';

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface IRMessage {
  role: Role;
  /** The message's text parts joined with newlines (images and audio are not text). */
  text: string;
  /** Number of tool calls an assistant message makes. */
  toolCalls: number;
}

export interface RoutingRequest {
  protocol: Protocol;
  /** The model the client asked for, as sent. */
  model: string;
  stream: boolean;
  messages: IRMessage[];
  /** Tool definitions were sent with the request. */
  hasTools: boolean;
  maxOutputTokens: number | undefined;
  /** The parsed JSON body, for plugins that rewrite it. Never mutate without copying. */
  body: Record<string, unknown>;
  /** The request headers Envoy sent (lower-case names), for header signals. */
  headers?: ReadonlyMap<string, string>;
}

export function lastUserText(ir: RoutingRequest): string {
  for (let i = ir.messages.length - 1; i >= 0; i--) {
    const m = ir.messages[i]!;
    if (m.role === 'user') return m.text;
  }
  return '';
}
