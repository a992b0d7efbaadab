// OpenAI Responses request body -> chat completions body, for a backend without /v1/responses.
// Defensive about shapes: the body was validated only as far as routing reads it, so every field
// is checked here, and what chat completions cannot express is refused (invalid_request) rather
// than silently dropped. Responses-only settings (store, metadata, include, truncation...) are
// dropped: they change what OpenAI's server keeps, not what the model answers.
import { RouterError } from '../errors.js';

type Json = Record<string, unknown>;
type ChatMessage = Json & { role: string };

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const TOOL_CHOICES = new Set(['auto', 'none', 'required']);

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string, param: string): never {
  throw new RouterError('invalid_request', message, param);
}

function requireString(v: unknown, param: string): string {
  if (typeof v !== 'string') invalid(`${param} must be a string`, param);
  return v;
}

/** The chat completions body for a Responses body; `model` is copied as is. */
export function responsesRequestToChat(body: Json): Json {
  const chat: Json = { model: body.model, messages: chatMessages(body) };
  copySampling(body, chat);
  const tools = chatTools(body.tools);
  if (tools) chat.tools = tools;
  if (body.tool_choice != null) chat.tool_choice = chatToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = body.parallel_tool_calls;
  const format = responseFormat(body.text);
  if (format) chat.response_format = format;
  if (body.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

function copySampling(body: Json, chat: Json): void {
  if (body.max_output_tokens != null) chat.max_tokens = body.max_output_tokens;
  if (body.temperature != null) chat.temperature = body.temperature;
  if (body.top_p != null) chat.top_p = body.top_p;
  if (body.user != null) chat.user = body.user;
  if (isRecord(body.reasoning) && typeof body.reasoning.effort === 'string') {
    chat.reasoning_effort = body.reasoning.effort;
  }
}

// ---- messages ----

function chatMessages(body: Json): ChatMessage[] {
  // Both name input the model never sees without OpenAI's server-side state.
  if (body.prompt != null) invalid('prompt templates are not supported by this model', 'prompt');
  if (body.conversation != null) invalid('conversations are not supported by this model', 'conversation');
  const messages: ChatMessage[] = [];
  if (body.instructions != null) {
    messages.push({ role: 'system', content: requireString(body.instructions, 'instructions') });
  }
  const input = body.input;
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
  } else if (Array.isArray(input)) {
    input.forEach((item, i) => addItem(messages, item, `input[${i}]`));
  } else if (input != null) {
    invalid('input must be a string or a list of input items', 'input');
  }
  return messages;
}

function addItem(messages: ChatMessage[], item: unknown, param: string): void {
  if (!isRecord(item)) invalid(`${param} must be an object`, param);
  const type = item.type;
  if (type === 'message' || (type === undefined && 'role' in item)) {
    messages.push(messageItem(item, param));
  } else if (type === 'function_call') {
    addFunctionCall(messages, item, param);
  } else if (type === 'function_call_output') {
    messages.push(toolMessage(item, param));
  } else if (type === 'reasoning') {
    // The backend's chat template re-derives (or drops) earlier reasoning itself.
  } else {
    const name = typeof type === 'string' ? type : String(type);
    invalid(`input item type "${name}" is not supported by this model`, `${param}.type`);
  }
}

function messageItem(item: Json, param: string): ChatMessage {
  const role = item.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    invalid(`${param}.role must be one of user, assistant, system, developer`, `${param}.role`);
  }
  const content = item.content;
  if (typeof content === 'string') return { role, content };
  if (!Array.isArray(content)) invalid(`${param}.content must be a string or a list of parts`, `${param}.content`);
  return { role, content: content.map((part, i) => contentPart(part, `${param}.content[${i}]`)) };
}

function contentPart(part: unknown, param: string): Json {
  if (!isRecord(part)) invalid(`${param} must be an object`, param);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: requireString(part.text, `${param}.text`) };
    case 'refusal': // an earlier assistant refusal, replayed as what it said
      return { type: 'text', text: requireString(part.refusal, `${param}.refusal`) };
    case 'input_image':
      return imagePart(part, param);
    default: {
      const name = typeof part.type === 'string' ? part.type : String(part.type);
      return invalid(`content part type "${name}" is not supported by this model`, `${param}.type`);
    }
  }
}

function imagePart(part: Json, param: string): Json {
  if (typeof part.image_url !== 'string') {
    // file_id names an OpenAI Files upload, which a chat backend cannot read.
    invalid('input_image needs an image_url (file_id is not supported by this model)', `${param}.image_url`);
  }
  const image: Json = { url: part.image_url };
  if (typeof part.detail === 'string') image.detail = part.detail;
  return { type: 'image_url', image_url: image };
}

/** function_call items -> tool_calls of one assistant message (the one directly before, if any). */
function addFunctionCall(messages: ChatMessage[], item: Json, param: string): void {
  const call = {
    id: requireString(item.call_id, `${param}.call_id`),
    type: 'function',
    function: {
      name: requireString(item.name, `${param}.name`),
      arguments: requireString(item.arguments, `${param}.arguments`),
    },
  };
  const last = messages.at(-1);
  if (last?.role === 'assistant') {
    const calls = Array.isArray(last.tool_calls) ? (last.tool_calls as unknown[]) : [];
    last.tool_calls = [...calls, call];
    return;
  }
  messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

function toolMessage(item: Json, param: string): ChatMessage {
  const callId = requireString(item.call_id, `${param}.call_id`);
  return { role: 'tool', tool_call_id: callId, content: toolOutput(item.output, `${param}.output`) };
}

/** A tool's output: a string, or output parts of which only text can reach a chat tool message. */
function toolOutput(output: unknown, param: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) invalid(`${param} must be a string or a list of parts`, param);
  return output
    .map((part, i) => {
      const p = `${param}[${i}]`;
      if (!isRecord(part)) invalid(`${p} must be an object`, p);
      if (part.type !== 'input_text' && part.type !== 'output_text') {
        invalid(`function_call_output parts other than text are not supported by this model`, `${p}.type`);
      }
      return requireString(part.text, `${p}.text`);
    })
    .join('');
}

// ---- tools and formats ----

function chatTools(tools: unknown): Json[] | undefined {
  if (tools == null) return undefined;
  if (!Array.isArray(tools)) invalid('tools must be a list', 'tools');
  if (tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    const param = `tools[${i}]`;
    if (!isRecord(tool)) invalid(`${param} must be an object`, param);
    if (tool.type !== 'function') {
      const name = typeof tool.type === 'string' ? tool.type : String(tool.type);
      invalid(`built-in tool "${name}" is not supported by this model (only function tools are)`, `${param}.type`);
    }
    const fn: Json = { name: requireString(tool.name, `${param}.name`) };
    if (tool.description != null) fn.description = tool.description;
    if (tool.parameters != null) fn.parameters = tool.parameters;
    if (tool.strict != null) fn.strict = tool.strict;
    return { type: 'function', function: fn };
  });
}

function chatToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string' && TOOL_CHOICES.has(choice)) return choice;
  if (isRecord(choice) && choice.type === 'function') {
    return { type: 'function', function: { name: requireString(choice.name, 'tool_choice.name') } };
  }
  return invalid('tool_choice must be auto, none, required or a function tool choice', 'tool_choice');
}

function responseFormat(text: unknown): Json | undefined {
  if (!isRecord(text) || text.format == null) return undefined;
  const format = text.format;
  if (!isRecord(format)) invalid('text.format must be an object', 'text.format');
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const schema: Json = { name: requireString(format.name, 'text.format.name'), schema: format.schema };
      if (format.strict != null) schema.strict = format.strict;
      if (format.description != null) schema.description = format.description;
      return { type: 'json_schema', json_schema: schema };
    }
    default:
      return invalid('text.format.type must be text, json_object or json_schema', 'text.format.type');
  }
}
