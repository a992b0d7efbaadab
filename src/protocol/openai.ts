// zod schemas for the OpenAI request bodies semroute reads. They check only what routing uses and
// let every other field through untouched (vLLM validates the rest, and knows its own extensions).
import { z } from 'zod';
import type { IRMessage, IRTool } from './ir.js';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const otherPart = z.looseObject({ type: z.string() });
const content = z.union([z.string(), z.array(z.union([textPart, otherPart])), z.null()]).optional();

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content,
  tool_calls: z.array(z.unknown()).optional(),
});

const common = {
  model: z.string().min(1, 'model must not be empty').max(256),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().min(1).nullish(),
};

export function chatCompletionSchema(maxMessages: number) {
  return z.looseObject({
    ...common,
    messages: z.array(message).min(1, 'messages must not be empty').max(maxMessages),
    tools: z.array(z.unknown()).nullish(),
    max_completion_tokens: z.number().int().min(1).nullish(),
  });
}

export const completionSchema = z.looseObject({
  ...common,
  prompt: z.union([
    z.string(),
    z.array(z.string()),
    z.array(z.number().int()),
    z.array(z.array(z.number().int())),
  ]),
});

type ChatMessage = z.infer<typeof message>;

function messageText(c: ChatMessage['content']): string {
  if (typeof c === 'string') return c;
  if (!c) return '';
  const texts: string[] = [];
  for (const part of c) if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  return texts.join('\n');
}

export function toIRMessages(messages: ChatMessage[]): IRMessage[] {
  return messages.map((m) => ({
    role: m.role,
    text: messageText(m.content),
    toolCalls: m.tool_calls?.length ?? 0,
  }));
}

export function promptText(prompt: z.infer<typeof completionSchema>['prompt']): string {
  if (typeof prompt === 'string') return prompt;
  return prompt.filter((p): p is string => typeof p === 'string').join('\n');
}

/** Names and descriptions of chat tools ({type:"function", function:{name, description}}). */
export function chatTools(tools: readonly unknown[] | null | undefined): IRTool[] {
  const out: IRTool[] = [];
  for (const t of tools ?? []) {
    const fn = (t as { function?: { name?: unknown; description?: unknown } } | null)?.function;
    if (typeof fn?.name !== 'string') continue;
    out.push({ name: fn.name, ...(typeof fn.description === 'string' ? { description: fn.description } : {}) });
  }
  return out;
}
