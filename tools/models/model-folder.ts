// Writing one model folder in the Hugging Face ONNX export layout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenizerFiles } from './tokenizer-files.js';
import { fnv1a } from './prng.js';

export const HELDOUT_SAMPLE_SIZE = 400;

export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface ModelFolder {
  onnx: Uint8Array;
  config: Record<string, unknown>;
  tokenizer: TokenizerFiles;
  heldout?: readonly { text: string; label: string }[];
  /** Extra JSON files (e.g. training figures). */
  extra?: Record<string, unknown>;
}

/** At most `size` rows, chosen and ordered by a hash of the text: stable whatever the input order. */
export function heldoutSample<T extends { text: string }>(rows: readonly T[], size = HELDOUT_SAMPLE_SIZE): T[] {
  return [...rows]
    .map((row) => ({ row, key: fnv1a(`heldout:${row.text}`) }))
    .sort((a, b) => a.key - b.key || (a.row.text < b.row.text ? -1 : 1))
    .slice(0, size)
    .map(({ row }) => row);
}

export function writeModelFolder(dir: string, folder: ModelFolder): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string | Uint8Array> = {
    'model.onnx': folder.onnx,
    'config.json': stableJson(folder.config),
    'tokenizer.json': stableJson(folder.tokenizer.tokenizer),
    'tokenizer_config.json': stableJson(folder.tokenizer.tokenizerConfig),
    'special_tokens_map.json': stableJson(folder.tokenizer.specialTokensMap),
  };
  if (folder.heldout) {
    files['heldout.jsonl'] = folder.heldout.map((r) => JSON.stringify({ text: r.text, label: r.label })).join('\n') + '\n';
  }
  for (const [name, value] of Object.entries(folder.extra ?? {})) files[name] = stableJson(value);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files).sort();
}
