// Loads one model: folder → tokenizer → session (with its provider) → name checks → warm-up, and
// exposes the typed handle for its task. Every call goes through the model's micro-batcher.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { MicroBatcher, type BatchInfo, type BatcherStats } from './batcher.js';
import { ModelLoadError } from './errors.js';
import { buildFeeds, KNOWN_INPUTS } from './feeds.js';
import { readModelFolder, type ModelFolder } from './folder.js';
import { classificationHead, embeddingHead, pickOutput, tokenHead, type OutputTensor, type TokenRow } from './heads.js';
import { createSession, type ProviderChoice, type ProviderDeps, type SessionLike } from './providers.js';
import { effectiveMaxLength, TextTokenizer } from './text-tokenizer.js';
import { DEFAULTS, type ClassifyResult, type EntitySpan, type InferenceLogger, type ModelSpec, type ModelTask } from './types.js';

export interface CallOptions {
  /** Give up when this aborts (code 'timeout'), e.g. at the request's deadline. */
  signal?: AbortSignal;
  /** Told the batch this call ran in (a request's trace). */
  onBatch?: (b: BatchInfo) => void;
}

interface HandleBase {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly provider: ProviderChoice;
  /** Token cap actually applied. */
  readonly maxLength: number;
  /** The raw onnxruntime session (benchmarks use it for their baseline). */
  readonly session: SessionLike;
  readonly tokenizer: TextTokenizer;
  stats(): BatcherStats;
  /** Rejects queued calls with 'closed', waits for the run in flight, releases the session. */
  close(): Promise<void>;
}

export interface ClassifierHandle extends HandleBase {
  readonly task: 'sequence-classification';
  readonly labels: readonly string[];
  classify(text: string, options?: CallOptions): Promise<ClassifyResult>;
}

export interface TokenClassifierHandle extends HandleBase {
  readonly task: 'token-classification';
  readonly labels: readonly string[];
  tokens(text: string, options?: CallOptions): Promise<EntitySpan[]>;
}

export interface EmbedderHandle extends HandleBase {
  readonly task: 'embedding';
  /** Length of the vectors `embed` returns (after Matryoshka truncation); known after warm-up. */
  readonly dimensions: number;
  embed(text: string, options?: CallOptions): Promise<Float32Array>;
}

export type ModelHandle = ClassifierHandle | TokenClassifierHandle | EmbedderHandle;

export interface LoadOptions extends Omit<ProviderDeps, 'logger'> {
  logger?: InferenceLogger;
  /** Tokenizers by content, shared between the models loaded with the same map. */
  tokenizers?: Map<string, TextTokenizer>;
}

const WARM_UP_TEXT = 'warm up';

export async function loadModel(spec: ModelSpec, options: LoadOptions = {}): Promise<ModelHandle> {
  const logger = options.logger ?? { info: () => {}, warn: () => {} };
  const folder = await readModelFolder(spec.name, path.resolve(spec.path), spec.task);
  if (spec.dimensions !== undefined && !(Number.isInteger(spec.dimensions) && spec.dimensions > 0)) {
    throw new ModelLoadError(spec.name, `dimensions must be a positive integer, got ${spec.dimensions}`);
  }
  let tokenizer: TextTokenizer;
  try {
    const maxLength = effectiveMaxLength(spec.maxLength, folder.tokenizerConfig, folder.config);
    // Models with the same tokenizer files and limit share one tokenizer (and its recent encodings).
    const key = `${maxLength}:${createHash('sha256').update(JSON.stringify([folder.tokenizerJson, folder.tokenizerConfig])).digest('hex')}`;
    const shared = options.tokenizers?.get(key);
    tokenizer = shared ?? new TextTokenizer(folder.tokenizerJson, folder.tokenizerConfig, maxLength);
    if (!shared) options.tokenizers?.set(key, tokenizer);
  } catch (e) {
    throw new ModelLoadError(spec.name, `tokenizer.json cannot be loaded: ${(e as Error).message}`, { cause: e });
  }
  const { session, choice } = await createSession(spec.name, folder.modelPath, spec.provider, { ...options, logger });
  try {
    checkNames(spec, session);
    const handle = buildHandle(spec, folder, tokenizer, session, choice);
    await handle.warmUp();
    logger.info('inference model loaded', {
      model: spec.name,
      task: spec.task,
      provider: choice.used,
      asked: choice.asked,
      max_length: tokenizer.maxLength,
      inputs: session.inputNames,
      outputs: session.outputNames,
    });
    return handle.handle;
  } catch (e) {
    await session.release().catch(() => {});
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(spec.name, `warm-up run failed: ${(e as Error).message}`, { cause: e });
  }
}

function checkNames(spec: ModelSpec, session: SessionLike): void {
  if (!session.inputNames.includes('input_ids')) {
    throw new ModelLoadError(spec.name, `model.onnx has no "input_ids" input (inputs: ${session.inputNames.join(', ')})`);
  }
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
  if (unknown.length > 0) throw new ModelLoadError(spec.name, `model.onnx has inputs this runtime cannot fill: ${unknown.join(', ')}`);
  if (session.outputNames.length === 0) throw new ModelLoadError(spec.name, 'model.onnx has no outputs');
}

/** Padding positions are masked out, so the id only has to be valid. */
function padId(folder: ModelFolder): number {
  const cfg = folder.config.pad_token_id;
  return typeof cfg === 'number' && Number.isInteger(cfg) && cfg >= 0 ? cfg : 0;
}

function buildHandle(
  spec: ModelSpec,
  folder: ModelFolder,
  tokenizer: TextTokenizer,
  session: SessionLike,
  provider: ProviderChoice,
): { handle: ModelHandle; warmUp: () => Promise<void> } {
  const pad = padId(folder);
  // The one output each head reads (the heads' own preference order); an export that also computes
  // a pooled sentence_embedding, say, then skips it.
  const names = session.outputNames;
  const wanted = spec.task === 'embedding' ? 'last_hidden_state' : 'logits';
  const fetches = names.includes(wanted) ? [wanted] : spec.task === 'embedding' ? names : names.slice(0, 1);
  const run = async (rows: readonly TokenRow[]) => {
    const { feeds, mask } = buildFeeds(rows.map((r) => r.enc), session.inputNames, pad);
    const outputs = (await session.run(feeds, fetches)) as Record<string, OutputTensor>;
    return { outputs, mask };
  };
  const batcherFor = <O>(decode: (rows: TokenRow[]) => Promise<O[]>) =>
    new MicroBatcher<TokenRow, O>(decode, {
      name: spec.name,
      ...spec.batching,
      timeoutMs: spec.timeoutMs,
      lengthOf: (r) => r.enc.ids.length,
    });
  // A row keeps only the text its tokens come from: token offsets are aligned over it.
  const rowOf = (text: string): TokenRow => {
    const enc = tokenizer.encode(text);
    return { text: enc.textChars < text.length ? text.slice(0, enc.textChars) : text, enc };
  };
  const base = (batcher: { stats(): BatcherStats; close(): Promise<void> }) => {
    let closing: Promise<void> | undefined;
    return {
      name: spec.name,
      spec,
      provider,
      maxLength: tokenizer.maxLength,
      session,
      tokenizer,
      stats: () => batcher.stats(),
      close: () => (closing ??= batcher.close().then(() => session.release())),
    };
  };
  const task: ModelTask = spec.task;
  switch (task) {
    case 'sequence-classification': {
      const labels = folder.labels!;
      const decode = async (rows: TokenRow[]) => {
        const { outputs } = await run(rows);
        return classificationHead(pickOutput(outputs, session.outputNames, 'logits'), rows.length, labels);
      };
      const batcher = batcherFor(decode);
      const handle: ClassifierHandle = { ...base(batcher), task, labels, classify: (text, o) => batcher.submit(rowOf(text), o?.signal, o?.onBatch) };
      return { handle, warmUp: async () => void (await decode([rowOf(WARM_UP_TEXT)])) };
    }
    case 'token-classification': {
      const labels = folder.labels!;
      const decode = async (rows: TokenRow[]) => {
        const { outputs } = await run(rows);
        return tokenHead(pickOutput(outputs, session.outputNames, 'logits'), rows, labels, tokenizer.style);
      };
      const batcher = batcherFor(decode);
      const handle: TokenClassifierHandle = { ...base(batcher), task, labels, tokens: (text, o) => batcher.submit(rowOf(text), o?.signal, o?.onBatch) };
      return { handle, warmUp: async () => void (await decode([rowOf(WARM_UP_TEXT)])) };
    }
    case 'embedding': {
      const configured = folder.config.pooling;
      const pooling = spec.pooling ?? (configured === 'cls' || configured === 'mean' ? configured : DEFAULTS.pooling);
      const decode = async (rows: TokenRow[]) => {
        const { outputs, mask } = await run(rows);
        return embeddingHead(outputs, session.outputNames, rows.length, mask, { pooling, dimensions: spec.dimensions });
      };
      const batcher = batcherFor(decode);
      const handle: EmbedderHandle = { ...base(batcher), task, dimensions: 0, embed: (text, o) => batcher.submit(rowOf(text), o?.signal, o?.onBatch) };
      return {
        handle,
        warmUp: async () => {
          const [v] = await decode([rowOf(WARM_UP_TEXT)]);
          if (spec.dimensions !== undefined && v!.length < spec.dimensions) {
            throw new ModelLoadError(spec.name, `dimensions ${spec.dimensions} exceeds the model's embedding size ${v!.length}`);
          }
          (handle as { dimensions: number }).dimensions = v!.length;
        },
      };
    }
  }
}
