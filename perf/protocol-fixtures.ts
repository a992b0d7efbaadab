// Fixtures of the protocol benchmark (protocol-bench.ts): a chat completions answer as vLLM sends
// it (SSE chunks of a few tokens each, the usage chunk and [DONE]; or one JSON body with the same
// text), and realistic client requests in the Anthropic Messages and OpenAI Responses shapes.

const WORDS = ['the', 'model', 'answers', 'with', 'a', 'few', 'tokens', 'per', 'chunk,', 'as', 'vLLM', 'streams', 'them', 'to', 'Envoy.', 'Each', 'delta', 'is', 'short'];

/** The content of chunk i: 2–4 words (a few tokens), deterministic. */
function piece(i: number): string {
  const n = 2 + (i % 3);
  let s = '';
  for (let k = 0; k < n; k++) s += `${k === 0 && i === 0 ? '' : ' '}${WORDS[(i * 7 + k * 3) % WORDS.length]}`;
  return s;
}

export interface ChatAnswer {
  /** One buffer per upstream SSE event (role chunk, content chunks, finish chunk, usage chunk, [DONE]). */
  sseChunks: Buffer[];
  /** The same answer as one chat.completion JSON body. */
  json: Buffer;
  /** Upstream SSE events per answer (the chunks above). */
  events: number;
  text: string;
}

export function chatAnswer(contentChunks = 200): ChatAnswer {
  const id = 'chatcmpl-8f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f';
  const created = 1_764_000_000;
  const model = 'Qwen/Qwen3-8B';
  const head = { id, object: 'chat.completion.chunk', created, model };
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const pieces = Array.from({ length: contentChunks }, (_, i) => piece(i));
  const text = pieces.join('');
  const usage = { prompt_tokens: 412, total_tokens: 412 + contentChunks * 3, completion_tokens: contentChunks * 3, prompt_tokens_details: null };
  const events: unknown[] = [
    chunk({ role: 'assistant', content: '' }, null),
    ...pieces.map((p) => chunk({ content: p }, null)),
    chunk({}, 'stop'),
    { ...head, choices: [], usage },
  ];
  const sseChunks = [...events.map((e) => Buffer.from(`data: ${JSON.stringify(e)}\n\n`)), Buffer.from('data: [DONE]\n\n')];
  const json = Buffer.from(
    JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, reasoning_content: null, tool_calls: [] }, logprobs: null, finish_reason: 'stop', stop_reason: null }],
      usage,
      prompt_logprobs: null,
    }),
  );
  return { sseChunks, json, events: sseChunks.length, text };
}

const SYSTEM = 'You are a careful coding assistant. Answer briefly, show code when it helps, and say when you are unsure.';
const TURNS = [
  'Why does my python function raise a KeyError when the dict is empty?',
  'Because you index the dict with a key that is not there; use dict.get(key, default) or check `key in d` first.',
  'It happens inside a loop over a list of records, some of which lack the "id" field. How do I skip those?',
  'Filter them first: `for r in (r for r in records if "id" in r): ...`, or use r.get("id") and continue when it is None.',
  'Can you rewrite the whole loop so that it also counts how many records were skipped?',
];
const TOOL = {
  name: 'search_docs',
  description: 'Search the project documentation.',
  schema: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 20 } }, required: ['query'] },
};

/** An Anthropic Messages body: system, five turns (text blocks and strings), one tool. */
export function anthropicRequest(stream: boolean): Record<string, unknown> {
  return {
    model: 'auto',
    max_tokens: 1024,
    system: [{ type: 'text', text: SYSTEM }],
    messages: TURNS.map((t, i) => ({ role: i % 2 ? 'assistant' : 'user', content: i % 4 === 0 ? [{ type: 'text', text: t }] : t })),
    tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema }],
    tool_choice: { type: 'auto' },
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  };
}

/** An OpenAI Responses body: instructions, five input items (message items with input_text parts), one tool. */
export function responsesRequest(stream: boolean): Record<string, unknown> {
  return {
    model: 'auto',
    instructions: SYSTEM,
    input: TURNS.map((t, i) =>
      i % 2 ? { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: t }] } : { type: 'message', role: 'user', content: [{ type: 'input_text', text: t }] },
    ),
    tools: [{ type: 'function', name: TOOL.name, description: TOOL.description, parameters: TOOL.schema, strict: false }],
    tool_choice: 'auto',
    max_output_tokens: 1024,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  };
}
