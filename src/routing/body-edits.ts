// Edits a decision makes to the forwarded JSON body (reasoning switch, system prompt, PII
// redaction). Each edit works on a shallow copy made once per request and replaces what it
// changes (copy on write): objects below the top level are shared with the parsed request and
// must never be mutated. The pipeline then copies every unchanged member's bytes from the
// client's body and serialises only what changed (protocol/json-members.ts).
import type { CandidateConfig, ModelConfig } from '../config/schema.js';
import type { Protocol } from '../protocol/ir.js';

export type BodyDoc = Record<string, unknown>;
/** Changes `doc` by assigning its top-level members; a nested value is replaced by a changed copy, never mutated. */
export type BodyEdit = (doc: BodyDoc) => void;

type Family = ModelConfig['reasoning_family'];

function setTemplateKwarg(doc: BodyDoc, key: string, value: boolean): void {
  const prev = doc.chat_template_kwargs;
  const kwargs = prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...(prev as BodyDoc) } : {};
  kwargs[key] = value;
  doc.chat_template_kwargs = kwargs;
}

/**
 * How a model family switches thinking on or off in vLLM's OpenAI server: Qwen3 and DeepSeek read
 * a chat-template kwarg (chat requests only: completions bypass the chat template), gpt-oss reads
 * reasoning_effort and cannot switch thinking off entirely ("low" is the least).
 */
export function reasoningEdit(family: Family, candidate: CandidateConfig, protocol: Protocol): BodyEdit | undefined {
  if (candidate.reasoning === 'default') return undefined;
  const on = candidate.reasoning === 'on';
  if (family !== 'none' && protocol === 'anthropic.messages') return anthropicThinkingEdit(on, candidate.reasoning_effort);
  if (family !== 'none' && protocol === 'openai.responses') return responsesReasoningEdit(family, on, candidate.reasoning_effort);
  switch (family) {
    case 'qwen3':
      return protocol === 'openai.chat' ? (doc) => setTemplateKwarg(doc, 'enable_thinking', on) : undefined;
    case 'deepseek':
      return protocol === 'openai.chat' ? (doc) => setTemplateKwarg(doc, 'thinking', on) : undefined;
    case 'gpt-oss':
      return (doc) => {
        doc.reasoning_effort = on ? (candidate.reasoning_effort ?? 'medium') : 'low';
      };
    case 'none':
      return undefined;
  }
}

/** Anthropic's thinking budget per effort (budget_tokens must be at least 1024). */
const THINKING_BUDGET: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16_384 };

/** A native Anthropic backend: `thinking` on with a budget, or off. */
function anthropicThinkingEdit(on: boolean, effort: string | undefined): BodyEdit {
  return (doc) => {
    doc.thinking = on ? { type: 'enabled', budget_tokens: THINKING_BUDGET[effort ?? 'medium'] ?? THINKING_BUDGET.medium } : { type: 'disabled' };
  };
}

/**
 * A native Responses backend: reasoning.effort. Only gpt-oss can be turned down ("low"); the
 * Responses API has no switch that turns a Qwen3 or DeepSeek model's thinking off.
 */
function responsesReasoningEdit(family: Family, on: boolean, effort: string | undefined): BodyEdit | undefined {
  if (!on && family !== 'gpt-oss') return undefined;
  return (doc) => {
    const prev = doc.reasoning && typeof doc.reasoning === 'object' ? (doc.reasoning as BodyDoc) : {};
    doc.reasoning = { ...prev, effort: on ? (effort ?? 'medium') : 'low' };
  };
}

const SYSTEM_ROLES: ReadonlySet<unknown> = new Set(['system', 'developer']);

/**
 * insert: the text before every other system text; replace: it instead of all of them. In each
 * protocol's own place: a chat system message, Anthropic's `system`, Responses' `instructions`.
 */
export function systemPromptEdit(mode: 'insert' | 'replace', text: string, protocol: Protocol): BodyEdit | undefined {
  switch (protocol) {
    case 'openai.chat':
      return (doc) => {
        const messages = Array.isArray(doc.messages) ? (doc.messages as BodyDoc[]) : [];
        const kept = mode === 'replace' ? messages.filter((m) => !SYSTEM_ROLES.has(m?.role)) : messages;
        doc.messages = [{ role: 'system', content: text }, ...kept];
      };
    case 'anthropic.messages':
      return (doc) => {
        const prev = doc.system;
        if (mode === 'replace' || prev === undefined || prev === '') doc.system = text;
        // Blocks keep their cache_control exactly; a string becomes one text block after ours.
        else doc.system = [{ type: 'text', text }, ...(typeof prev === 'string' ? [{ type: 'text', text: prev }] : (prev as BodyDoc[]))];
      };
    case 'openai.responses':
      return (doc) => {
        const prev = typeof doc.instructions === 'string' ? doc.instructions : '';
        doc.instructions = mode === 'replace' || prev === '' ? text : `${text}\n\n${prev}`;
        if (mode === 'replace' && Array.isArray(doc.input)) doc.input = (doc.input as BodyDoc[]).filter((it) => !SYSTEM_ROLES.has(it?.role));
      };
    case 'openai.completions':
      return undefined;
  }
}

/**
 * Applies the edits to a shallow copy of the body; the original (shared with the IR) stays
 * untouched because edits replace, not mutate, what they change. Unchanged values stay the very
 * same objects, which is how serialisation knows it may copy their bytes.
 */
export function applyEdits(body: BodyDoc, edits: readonly BodyEdit[]): BodyDoc {
  const doc = { ...body };
  for (const edit of edits) edit(doc);
  return doc;
}

/** The document the upstream receives: the edited copy, naming the backend's served model. */
export function forwardedDoc(body: BodyDoc, edits: readonly BodyEdit[], servedModel: string): BodyDoc {
  const doc = applyEdits(body, edits);
  doc.model = servedModel;
  return doc;
}
