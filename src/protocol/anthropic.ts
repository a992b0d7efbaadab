// zod schema for Anthropic Messages request bodies (POST /v1/messages), following the official
// SDK's MessageCreateParams: what routing reads is checked, every other field passes through
// untouched (a native backend validates the rest). Content blocks of a type Anthropic does not
// define are refused here, so they never reach a GPU.
import { z } from 'zod';
import type { IRMessage, IRTool } from './ir.js';

/** Content block types of the Messages API a request may carry. */
export const ANTHROPIC_BLOCK_TYPES = [
  'text',
  'image',
  'document',
  'search_result',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
] as const;

const block = z.looseObject({
  type: z.enum(ANTHROPIC_BLOCK_TYPES, { error: (i) => `unknown content block type ${JSON.stringify(i.input)}` }),
});
const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});

const maxTokens = z.number({ error: (i) => (i.input === undefined ? 'max_tokens is required' : 'max_tokens must be an integer') }).int().min(1);

/** `countTokens`: the body of /v1/messages/count_tokens, which has no max_tokens. */
export function anthropicMessagesSchema(maxMessages: number, countTokens = false) {
  return z.looseObject({
    model: z.string().min(1, 'model must not be empty').max(256),
    max_tokens: countTokens ? maxTokens.optional() : maxTokens,
    messages: z.array(message).min(1, 'messages must not be empty').max(maxMessages),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    tools: z.array(z.looseObject({ name: z.string() })).optional(),
    tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']) }).optional(),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    thinking: z
      .union([z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1) }), z.looseObject({ type: z.literal('disabled') })])
      .optional(),
    metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  });
}

type Body = z.infer<ReturnType<typeof anthropicMessagesSchema>>;
type Block = Record<string, unknown> & { type: string };

/** The text of text blocks (or a string), joined with newlines. */
export function blocksText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const b of content) if (b && typeof b === 'object' && (b as Block).type === 'text' && typeof (b as Block).text === 'string') texts.push((b as { text: string }).text);
  return texts.join('\n');
}

function withoutText(blocks: Block[]): Block[] {
  return blocks.filter((b) => b.type !== 'text');
}

/**
 * Chat-shaped IR messages: the system text first, each tool_result block as a tool message (they
 * open a user turn in Anthropic's protocol), the rest of a user turn as a user message, and an
 * assistant turn with its tool_use blocks counted as tool calls.
 */
export function anthropicIRMessages(body: Body): IRMessage[] {
  const out: IRMessage[] = [];
  if (body.system !== undefined) {
    const text = blocksText(body.system);
    out.push({ role: 'system', text, toolCalls: 0, ...(typeof body.system === 'string' ? {} : { extra: body.system.map(({ text: _t, ...rest }) => rest) }) });
  }
  for (const m of body.messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, text: m.content, toolCalls: 0 });
      continue;
    }
    const blocks = m.content as Block[];
    if (m.role === 'assistant') {
      const toolCalls = blocks.filter((b) => b.type === 'tool_use').length;
      out.push({ role: 'assistant', text: blocksText(blocks), toolCalls, extra: withoutText(blocks) });
      continue;
    }
    const rest: Block[] = [];
    for (const b of blocks) {
      if (b.type === 'tool_result') {
        const { content, ...meta } = b;
        out.push({ role: 'tool', text: blocksText(content), toolCalls: 0, extra: [meta, Array.isArray(content) ? withoutText(content as Block[]) : []] });
      } else rest.push(b);
    }
    if (rest.length > 0 || blocks.length === 0) out.push({ role: 'user', text: blocksText(rest), toolCalls: 0, extra: withoutText(rest) });
  }
  return out;
}

export function anthropicTools(body: Body): IRTool[] {
  return (body.tools ?? []).map((t) => ({ name: t.name, ...(typeof t.description === 'string' ? { description: t.description } : {}) }));
}
