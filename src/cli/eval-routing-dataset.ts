// The routing eval dataset: JSON lines of {"messages": [...]} or {"text": "..."} (one user
// message) with "expected_decision" and/or "expected_model". A line that cannot be used is kept
// as a bad line with its number and reason, never fatal.

export interface RoutingCase {
  line: number;
  messages: unknown[];
  /** What the misroute list shows: the text, or the last user message's text. */
  text: string;
  expectedDecision?: string;
  expectedModel?: string;
}

export interface BadLine {
  line: number;
  error: string;
}

export interface RoutingDataset {
  /** Non-empty lines. */
  lines: number;
  cases: RoutingCase[];
  bad: BadLine[];
}

/** The text of a message's content: a string, or the text parts of a content array. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (typeof p === 'object' && p !== null && (p as { type?: unknown }).type === 'text' ? (p as { text?: unknown }).text : undefined))
    .filter((t): t is string => typeof t === 'string')
    .join(' ');
}

function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (typeof m === 'object' && m !== null && m.role === 'user') return contentText(m.content);
  }
  return '';
}

const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** One line as a case, or the reason it cannot be one. */
function parseLine(raw: string, line: number): RoutingCase | BadLine {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { line, error: 'not valid JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { line, error: 'expected a JSON object' };
  const o = v as { text?: unknown; messages?: unknown; expected_decision?: unknown; expected_model?: unknown };
  if (o.text !== undefined && o.messages !== undefined) return { line, error: 'give "text" or "messages", not both' };
  let messages: unknown[];
  if (typeof o.text === 'string' && o.text.trim() !== '') messages = [{ role: 'user', content: o.text }];
  else if (Array.isArray(o.messages) && o.messages.length > 0) messages = o.messages;
  else return { line, error: 'no text: give a non-empty "text" or "messages"' };
  const expectedDecision = optionalString(o.expected_decision);
  const expectedModel = optionalString(o.expected_model);
  if (!expectedDecision && !expectedModel) return { line, error: 'no expectation: give "expected_decision" and/or "expected_model"' };
  return {
    line,
    messages,
    text: typeof o.text === 'string' ? o.text : lastUserText(messages),
    ...(expectedDecision ? { expectedDecision } : {}),
    ...(expectedModel ? { expectedModel } : {}),
  };
}

export function parseRoutingDataset(content: string): RoutingDataset {
  const dataset: RoutingDataset = { lines: 0, cases: [], bad: [] };
  content.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    dataset.lines++;
    const parsed = parseLine(raw, i + 1);
    if ('error' in parsed) dataset.bad.push(parsed);
    else dataset.cases.push(parsed);
  });
  return dataset;
}
