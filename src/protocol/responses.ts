// zod schema for OpenAI Responses request bodies (POST /v1/responses), following the official
// SDK's ResponseCreateParams: what routing reads is checked, every other field passes through.
// Input items and content parts of a type the API does not define are refused here.
import { z } from 'zod';
import type { IRMessage, IRTool } from './ir.js';

/** Input item types of the Responses API (an item with a role and no type is a message). */
export const RESPONSES_ITEM_TYPES = [
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'item_reference',
  'custom_tool_call',
  'custom_tool_call_output',
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'local_shell_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
] as const;

export const RESPONSES_PART_TYPES = ['input_text', 'input_image', 'input_file', 'input_audio', 'output_text', 'refusal'] as const;

const part = z.looseObject({ type: z.enum(RESPONSES_PART_TYPES, { error: (i) => `unknown content part type ${JSON.stringify(i.input)}` }) });

const item = z.looseObject({
  type: z.enum(RESPONSES_ITEM_TYPES, { error: (i) => `unknown input item type ${JSON.stringify(i.input)}` }).optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(part)]).optional(),
});

export function responsesSchema(maxMessages: number) {
  return z.looseObject({
    model: z.string().min(1, 'model must not be empty').max(256),
    input: z.union([z.string(), z.array(item).max(maxMessages)]).optional(),
    instructions: z.string().nullish(),
    tools: z.array(z.looseObject({ type: z.string() })).nullish(),
    previous_response_id: z.string().min(1).max(256).nullish(),
    store: z.boolean().nullish(),
    stream: z.boolean().nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
    user: z.string().nullish(),
  });
}

type Body = z.infer<ReturnType<typeof responsesSchema>>;
type Item = z.infer<typeof item>;
type Part = Record<string, unknown> & { type: string };

function partsText(content: Item['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  const texts: string[] = [];
  for (const p of content as Part[]) if ((p.type === 'input_text' || p.type === 'output_text') && typeof p.text === 'string') texts.push(p.text);
  return texts.join('\n');
}

function nonText(content: Item['content']): unknown {
  return Array.isArray(content) ? (content as Part[]).filter((p) => p.type !== 'input_text' && p.type !== 'output_text') : [];
}

/** The text of a function_call_output's output (a string, or output parts). */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return Array.isArray(output) ? partsText(output as Item['content']) : '';
}

/**
 * Chat-shaped IR messages: instructions first as a system message; message items by role;
 * consecutive function_call items as one assistant turn's tool calls; function_call_output items
 * as tool messages. Reasoning items and references carry no text routing reads.
 */
export function responsesIRMessages(body: Body): IRMessage[] {
  const out: IRMessage[] = [];
  if (body.instructions) out.push({ role: 'system', text: body.instructions, toolCalls: 0 });
  if (typeof body.input === 'string') {
    out.push({ role: 'user', text: body.input, toolCalls: 0 });
    return out;
  }
  for (const it of body.input ?? []) {
    const type = it.type ?? (it.role ? 'message' : undefined);
    if (type === 'message') {
      out.push({ role: (it.role ?? 'user'), text: partsText(it.content), toolCalls: 0, extra: nonText(it.content) });
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const prev = out.at(-1);
      const call = { name: it.name, arguments: it.arguments ?? it.input, call_id: it.call_id };
      if (prev?.role === 'assistant') {
        prev.toolCalls++;
        prev.extra = [...((prev.extra as unknown[] | undefined) ?? []), call];
      } else out.push({ role: 'assistant', text: '', toolCalls: 1, extra: [call] });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      out.push({ role: 'tool', text: outputText(it.output), toolCalls: 0, extra: { call_id: it.call_id, parts: nonText(it.output as Item['content']) } });
    }
  }
  return out;
}

export function responsesTools(body: Body): IRTool[] {
  const out: IRTool[] = [];
  for (const t of body.tools ?? []) {
    const name = typeof t.name === 'string' ? t.name : t.type;
    out.push({ name, ...(typeof t.description === 'string' ? { description: t.description } : {}) });
  }
  return out;
}
