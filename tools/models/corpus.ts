// The training corpus shared by all models: rows, the held-out split, one WordPiece tokenizer
// built from the training split, and every text encoded once through that tokenizer.json.
import { join } from 'node:path';
import { readJsonl, requireDatasets, splitHeldOut, type LabelledText } from './datasets.js';
import { encodeIds, loadTokenizer, tokenizerFiles, type TokenizerFiles, type WordPieceTokenizer } from './tokenizer-files.js';
import { buildWordPieceVocab, countWords, createWordSplitter } from './wordpiece-vocab.js';

export const VOCAB_SIZE = 12000;
/** Characters of each text used for vocabulary counts (long prompts are cut like at encode time). */
const VOCAB_TEXT_CHARS = 6000;

export interface EncodedSplit {
  rows: LabelledText[];
  ids: number[][];
}

export interface Corpus {
  datasetsDir: string;
  vocab: string[];
  files: TokenizerFiles;
  tokenizer: WordPieceTokenizer;
  domain: { train: EncodedSplit; test: EncodedSplit };
  jailbreak: { train: EncodedSplit; test: EncodedSplit };
  encode(text: string): number[];
}

export function loadCorpus(datasetsDir: string): Corpus {
  requireDatasets(datasetsDir);
  const domain = splitHeldOut(readJsonl(join(datasetsDir, 'domain', 'train.jsonl')));
  const jailbreak = splitHeldOut(readJsonl(join(datasetsDir, 'jailbreak', 'train.jsonl')));
  const split = createWordSplitter();
  const trainTexts = [...domain.train, ...jailbreak.train].map((r) => r.text.slice(0, VOCAB_TEXT_CHARS));
  const vocab = buildWordPieceVocab(countWords(trainTexts, split), { size: VOCAB_SIZE });
  const files = tokenizerFiles(vocab);
  // Round-trip through JSON so training sees exactly what a consumer loads from disk.
  const tokenizer = loadTokenizer(JSON.parse(JSON.stringify(files)) as TokenizerFiles);
  const encode = (text: string) => encodeIds(tokenizer, text);
  const encodeSplit = (rows: LabelledText[]): EncodedSplit => ({ rows, ids: rows.map((r) => encode(r.text)) });
  return {
    datasetsDir,
    vocab,
    files,
    tokenizer,
    domain: { train: encodeSplit(domain.train), test: encodeSplit(domain.test) },
    jailbreak: { train: encodeSplit(jailbreak.train), test: encodeSplit(jailbreak.test) },
    encode,
  };
}
