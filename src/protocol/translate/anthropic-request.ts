// Anthropic Messages request -> chat completions request, for a backend without /v1/messages.
// The body was validated loosely before it gets here, so every shape is checked again as it is read;
// what cannot be expressed in chat completions is refused (invalid_request), never silently changed.
import { RouterError } from '../errors.js';

type Json = Record<string, unknown>;
type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type ChatMessage = Json & { role: string };

const UNSUPPORTED = 'is not supported on a backend without /v1/messages';

export function anthropicToChatRequest(body: Json): Json {
  const out: Json = { model: body.model };
  const messages = [...systemMessages(body.system), ...conversation(body.messages)];
  out.messages = messages;
  // An assistant message last is a prefill: the answer continues it (vLLM's chat extension), where
  // chat completions would otherwise close it and start a new assistant turn.
  const last = messages.at(-1);
  if (last?.role === 'assistant' && last.tool_calls === undefined) {
    out.continue_final_message = true;
    out.add_generation_prompt = false;
  }
  copyTools(body, out);
  copySampling(body, out);
  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function blocksOf(content: unknown, param: string): Json[] {
  if (!Array.isArray(content)) throw new RouterError('invalid_request', `${param} must be a string or an array of blocks`, param);
  return content.map((b, i) => {
    if (!isObject(b) || typeof b.type !== 'string') {
      throw new RouterError('invalid_request', `${param}.${i} must be a content block`, `${param}.${i}`);
    }
    return b;
  });
}

function textOf(block: Json, param: string): string {
  if (typeof block.text !== 'string') throw new RouterError('invalid_request', `${param}.text must be a string`, param);
  return block.text;
}

// system: a string or text blocks -> one leading system message (none when empty).
function systemMessages(system: unknown): ChatMessage[] {
  if (system === undefined || system === null) return [];
  const text =
    typeof system === 'string'
      ? system
      : blocksOf(system, 'system')
          .map((b, i) => {
            if (b.type !== 'text') throw new RouterError('invalid_request', `system.${i} must be a text block`, `system.${i}`);
            return textOf(b, `system.${i}`);
          })
          .join('\n');
  return text === '' ? [] : [{ role: 'system', content: text }];
}

function conversation(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) throw new RouterError('invalid_request', 'messages must be an array', 'messages');
  const out: ChatMessage[] = [];
  messages.forEach((m, i) => {
    const param = `messages.${i}`;
    if (!isObject(m)) throw new RouterError('invalid_request', `${param} must be an object`, param);
    if (m.role === 'user') out.push(...userMessages(m.content, param));
    else if (m.role === 'assistant') out.push(assistantMessage(m.content, param));
    else throw new RouterError('invalid_request', `${param}.role must be "user" or "assistant"`, `${param}.role`);
  });
  return out;
}

// One user message -> its tool results as tool messages first (Anthropic puts them first), then
// the rest as one user message. Text only becomes a plain string, joined with "\n" as vLLM joins
// text parts for string-content chat templates.
function userMessages(content: unknown, param: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const tools: ChatMessage[] = [];
  const parts: ChatPart[] = [];
  blocksOf(content, `${param}.content`).forEach((b, i) => {
    const p = `${param}.content.${i}`;
    if (b.type === 'tool_result') tools.push(toolResultMessage(b, p));
    else parts.push(userPart(b, p));
  });
  if (parts.length === 0) return tools.length > 0 ? tools : [{ role: 'user', content: '' }];
  const onlyText = parts.every((p) => p.type === 'text');
  const userContent = onlyText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts;
  return [...tools, { role: 'user', content: userContent }];
}

function userPart(b: Json, param: string): ChatPart {
  switch (b.type) {
    case 'text':
      return { type: 'text', text: textOf(b, param) };
    case 'image':
      return { type: 'image_url', image_url: { url: imageUrl(b.source, `${param}.source`) } };
    case 'document':
      return { type: 'text', text: documentText(b.source, `${param}.source`) };
    default:
      throw unsupportedBlock(b.type, param);
  }
}

function unsupportedBlock(type: unknown, param: string): RouterError {
  return new RouterError('invalid_request', `a ${String(type)} block in this position ${UNSUPPORTED}`, param);
}

function imageUrl(source: unknown, param: string): string {
  if (isObject(source) && source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string') {
      throw new RouterError('invalid_request', `${param} needs a media_type and data`, param);
    }
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (isObject(source) && source.type === 'url' && typeof source.url === 'string') return source.url;
  const type = isObject(source) ? String(source.type) : 'missing';
  throw new RouterError('invalid_request', `an image source of type ${type} ${UNSUPPORTED}`, param);
}

// Only plain-text documents have a chat equivalent (a text part); title and context are dropped.
function documentText(source: unknown, param: string): string {
  if (isObject(source) && source.type === 'text' && typeof source.data === 'string') return source.data;
  const type = isObject(source) ? String(source.type) : 'missing';
  throw new RouterError('invalid_request', `a document source of type ${type} ${UNSUPPORTED}`, param);
}

// Chat has no is_error flag: an error result says so in its text, so the model still knows.
function toolResultMessage(b: Json, param: string): ChatMessage {
  if (typeof b.tool_use_id !== 'string') {
    throw new RouterError('invalid_request', `${param}.tool_use_id must be a string`, `${param}.tool_use_id`);
  }
  let text = '';
  if (typeof b.content === 'string') text = b.content;
  else if (b.content !== undefined && b.content !== null) {
    text = blocksOf(b.content, `${param}.content`)
      .map((c, i) => {
        if (c.type !== 'text') throw unsupportedBlock(`tool_result ${String(c.type)}`, `${param}.content.${i}`);
        return textOf(c, `${param}.content.${i}`);
      })
      .join('\n');
  }
  if (b.is_error === true) text = text === '' ? 'Error' : `Error: ${text}`;
  return { role: 'tool', tool_call_id: b.tool_use_id, content: text };
}

// Thinking blocks are dropped: chat completions has no input field for them.
function assistantMessage(content: unknown, param: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const calls: Json[] = [];
  blocksOf(content, `${param}.content`).forEach((b, i) => {
    const p = `${param}.content.${i}`;
    if (b.type === 'text') texts.push(textOf(b, p));
    else if (b.type === 'tool_use') calls.push(toolCall(b, p));
    else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') throw unsupportedBlock(b.type, p);
  });
  if (calls.length === 0) return { role: 'assistant', content: texts.join('\n') };
  return { role: 'assistant', content: texts.length > 0 ? texts.join('\n') : null, tool_calls: calls };
}

function toolCall(b: Json, param: string): Json {
  if (typeof b.id !== 'string' || typeof b.name !== 'string') {
    throw new RouterError('invalid_request', `${param} needs a string id and name`, param);
  }
  return { id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } };
}

function copyTools(body: Json, out: Json): void {
  if (Array.isArray(body.tools) && body.tools.length > 0) out.tools = body.tools.map((t, i) => chatTool(t, `tools.${i}`));
  const choice = body.tool_choice;
  if (choice === undefined || choice === null) return;
  if (!isObject(choice)) throw new RouterError('invalid_request', 'tool_choice must be an object', 'tool_choice');
  out.tool_choice = chatToolChoice(choice);
  if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
}

// Server tools (web search, code execution, bash...) run at Anthropic: a chat backend has no schema
// for them and nobody to run them.
function chatTool(t: unknown, param: string): Json {
  if (!isObject(t)) throw new RouterError('invalid_request', `${param} must be an object`, param);
  if (t.type !== undefined && t.type !== null && t.type !== 'custom' && t.input_schema === undefined) {
    throw new RouterError('invalid_request', `the server tool ${JSON.stringify(t.type)} ${UNSUPPORTED}`, param);
  }
  if (typeof t.name !== 'string' || !isObject(t.input_schema)) {
    throw new RouterError('invalid_request', `${param} needs a name and an input_schema`, param);
  }
  const fn: Json = { name: t.name };
  if (typeof t.description === 'string') fn.description = t.description;
  fn.parameters = t.input_schema;
  return { type: 'function', function: fn };
}

function chatToolChoice(choice: Json): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (typeof choice.name !== 'string') {
        throw new RouterError('invalid_request', 'tool_choice.name must be a string', 'tool_choice.name');
      }
      return { type: 'function', function: { name: choice.name } };
    default:
      throw new RouterError('invalid_request', `tool_choice.type ${String(choice.type)} ${UNSUPPORTED}`, 'tool_choice.type');
  }
}

function copySampling(body: Json, out: Json): void {
  if (body.max_tokens !== undefined) out.max_tokens = body.max_tokens;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) out.stop = body.stop_sequences;
  for (const key of ['temperature', 'top_p', 'top_k'] as const) {
    if (typeof body[key] === 'number') out[key] = body[key];
  }
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id;
}
