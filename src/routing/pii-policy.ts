// The pii plugin: what a decision does when the request carries PII. It scans every text the
// upstream would receive (all messages' text parts, or the completion prompt), not only the text
// a signal reads: redaction that missed an earlier turn would still leak it. Scanning is bounded
// (max_scan_chars, all texts together): a request with more text is reported as unscanned and the
// router refuses it or routes it to route_model, never forwards it unscanned.
import type { PluginsConfig } from '../config/schema.js';
import { createPiiDetector } from '../pii/detector.js';
import { redact } from '../pii/redact.js';
import type { PiiDetector, PiiSpan } from '../pii/types.js';
import type { BodyDoc, BodyEdit } from './body-edits.js';

export type PiiPluginConfig = NonNullable<PluginsConfig['pii']>;

export interface PiiFinding {
  /** PII types found (sorted), never the values. */
  types: string[];
  /** The redaction of the body, for action redact. */
  edit?: BodyEdit;
  /** Set instead of scanning when the texts exceed max_scan_chars: their length. */
  unscannedChars?: number;
}

/** A place in the body holding text: read it, and write its redacted form back. */
interface TextSlot {
  text: string;
  write(doc: BodyDoc, text: string): void;
}

/** `list` with element `i` replaced (a copy: the parsed request's arrays are never mutated). */
function withElement<T>(list: readonly T[], i: number, value: T): T[] {
  const copy = [...list];
  copy[i] = value;
  return copy;
}

/** Text parts of the chat, Anthropic and Responses shapes: `text` blocks and input/output_text parts. */
const TEXT_PARTS: ReadonlySet<unknown> = new Set(['text', 'input_text', 'output_text']);

/** Slots in a content value (a string or a list of parts) reached through `get`/`set` on the document. */
function contentSlots(content: unknown, get: (doc: BodyDoc) => unknown, set: (doc: BodyDoc, value: unknown) => void): TextSlot[] {
  if (typeof content === 'string') return [{ text: content, write: (doc, t) => set(doc, t) }];
  if (!Array.isArray(content)) return [];
  const slots: TextSlot[] = [];
  content.forEach((part: unknown, j) => {
    const p = part as BodyDoc | null;
    const at = (doc: BodyDoc) => (get(doc) as BodyDoc[])[j]!;
    const put = (doc: BodyDoc, value: BodyDoc) => set(doc, withElement(get(doc) as BodyDoc[], j, value));
    if (TEXT_PARTS.has(p?.type) && typeof p?.text === 'string') {
      slots.push({ text: p.text, write: (doc, t) => put(doc, { ...at(doc), text: t }) });
    } else if (p?.type === 'tool_result') {
      // Anthropic: a tool result's own content, a string or text blocks.
      slots.push(...contentSlots(p.content, (doc) => at(doc).content, (doc, v) => put(doc, { ...at(doc), content: v })));
    }
  });
  return slots;
}

/** Anthropic's system and Responses' instructions and input items. */
function protocolSlots(body: BodyDoc): TextSlot[] {
  const slots: TextSlot[] = [];
  if (body.system !== undefined) slots.push(...contentSlots(body.system, (d) => d.system, (d, v) => (d.system = v)));
  if (typeof body.instructions === 'string') slots.push(...contentSlots(body.instructions, (d) => d.instructions, (d, v) => (d.instructions = v)));
  if (typeof body.input === 'string') slots.push(...contentSlots(body.input, (d) => d.input, (d, v) => (d.input = v)));
  else if (Array.isArray(body.input)) {
    const items = (doc: BodyDoc) => doc.input as BodyDoc[];
    body.input.forEach((item: unknown, i) => {
      const it = item as BodyDoc | null;
      const field = it?.type === 'function_call_output' || it?.type === 'custom_tool_call_output' ? 'output' : 'content';
      slots.push(...contentSlots(it?.[field], (doc) => items(doc)[i]![field], (doc, v) => (doc.input = withElement(items(doc), i, { ...items(doc)[i]!, [field]: v }))));
    });
  }
  return slots;
}

function textSlots(body: BodyDoc): TextSlot[] {
  const slots: TextSlot[] = protocolSlots(body);
  const messages = (doc: BodyDoc) => doc.messages as BodyDoc[];
  if (Array.isArray(body.messages)) {
    body.messages.forEach((_m: unknown, i) => {
      const message = (doc: BodyDoc) => messages(doc)[i]!;
      slots.push(...contentSlots(message(body).content, (doc) => message(doc).content, (doc, v) => (doc.messages = withElement(messages(doc), i, { ...message(doc), content: v }))));
    });
  } else if (typeof body.prompt === 'string') {
    slots.push({ text: body.prompt, write: (doc, t) => (doc.prompt = t) });
  } else if (Array.isArray(body.prompt)) {
    body.prompt.forEach((p: unknown, i) => {
      if (typeof p === 'string') slots.push({ text: p, write: (doc, t) => (doc.prompt = withElement(doc.prompt as string[], i, t)) });
    });
  }
  return slots;
}

export class PiiPolicy {
  private readonly detector: PiiDetector;

  constructor(
    readonly config: PiiPluginConfig,
    detector?: PiiDetector,
  ) {
    // Each text is scanned whole (a prefix limit would forward the unscanned tail unredacted);
    // scan() bounds all texts together instead.
    this.detector = detector ?? createPiiDetector({ ...(config.types.length > 0 ? { types: config.types } : {}), maxScanChars: Number.MAX_SAFE_INTEGER });
  }

  /** undefined when the body carries none of the covered PII types. */
  async scan(body: BodyDoc): Promise<PiiFinding | undefined> {
    const covered = this.config.types;
    const slots = textSlots(body);
    const chars = slots.reduce((n, s) => n + s.text.length, 0);
    if (chars > this.config.max_scan_chars) return { types: [], unscannedChars: chars };
    const found: Array<{ slot: TextSlot; spans: PiiSpan[] }> = [];
    for (const slot of slots) {
      const spans = (await this.detector.detect(slot.text)).filter((s) => covered.length === 0 || covered.includes(s.type));
      if (spans.length > 0) found.push({ slot, spans });
    }
    if (found.length === 0) return undefined;
    const types = [...new Set(found.flatMap((f) => f.spans.map((s) => s.type)))].sort();
    if (this.config.action !== 'redact') return { types };
    const style = this.config.redact_style;
    return {
      types,
      edit: (doc) => {
        for (const { slot, spans } of found) slot.write(doc, redact(slot.text, spans, style));
      },
    };
  }
}
