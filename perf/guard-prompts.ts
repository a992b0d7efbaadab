// Realistic prompts for the cache guard benchmark: the MT-Bench questions (both turns; writing,
// roleplay, reasoning, maths, coding, extraction, STEM, humanities; a few lines to a page) when
// the shared datasets are at hand, else a built-in handful. Each comes with a paraphrase the guard
// should pass and a near miss it should reject.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const BUILT_IN = [
  'Why does this python function raise a KeyError when the dict is empty?',
  'My typescript build fails to compile with an error about generics; what is wrong?',
  'What is the capital of France and why did it become the capital?',
  'Plan a three-day trip to Lisbon on a small budget.',
  'Translate "good morning, how are you" into German and Spanish.',
  'Give me five ideas for a birthday present for my father.',
  'Convert 10 km to miles and explain the formula.',
  'Is chocolate safe for dogs to eat in small amounts?',
];

export function loadPrompts(datasets: string): { prompts: string[]; source: string } {
  const file = path.join(datasets, 'routing', 'routellm', 'mt_bench', 'question.jsonl');
  if (!existsSync(file)) return { prompts: BUILT_IN, source: 'built-in' };
  const prompts = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => (JSON.parse(line) as { turns: string[] }).turns);
  return { prompts, source: path.relative(process.cwd(), file) };
}

/** Lower case, no final punctuation, a polite prefix: what the guard should let through. */
export function paraphraseOf(text: string): string {
  return `please, ${text.toLowerCase().replace(/[.?!]+\s*$/, '')}`;
}

/** One answer-changing edit: the first number plus one, else a "not", else a count added. */
export function nearMissOf(text: string): string {
  if (/\d/.test(text)) return text.replace(/\d+/, (n) => String(Number(n) + 1));
  const negated = text.replace(/\b(is|are|can|should|does|do|will|would)\b/i, '$1 not');
  return negated !== text ? negated : `${text} Answer in 3 sentences.`;
}
