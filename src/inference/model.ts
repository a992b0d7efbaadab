// Loads one model: folder → tokenizer → session (with its provider) → name checks → warm-up, and
// exposes the typed handle for its task. Every call goes through the model's micro-batcher. The
// session runs in the process's inference workers (worker-pool.ts) unless the spec asks for
// `workers: 0` (or a session factory is injected): then session.run blocks the event loop.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AbortLike } from './abort-like.js';
import { MicroBatcher, type BatchInfo, type BatcherStats } from './batcher.js';
import { ModelLoadError } from './errors.js';
import { buildFeeds, unfillableInputsMessage } from './feeds.js';
import { readModelFolder, type ModelFolder } from './folder.js';
import { resolvePooling } from './layouts.js';
import { classificationHead, embeddingHead, pickOutput, tokenHead, type OutputTensor, type TokenRow } from './heads.js';
import { createSession, type ProviderChoice, type ProviderDeps, type SessionLike } from './providers.js';
import { effectiveMaxLength, TextTokenizer } from './text-tokenizer.js';
import {
  intraOpThreadsFor,
  workersFor,
  type ClassifyResult,
  type EntitySpan,
  type InferenceLogger,
  type ModelSpec,
  type ModelTask,
  type ProviderSpec,
} from './types.js';
import { PooledSession, WorkerPool } from './worker-pool.js';

export interface CallOptions {
  /** Give up when this aborts (code 'timeout'), e.g. at the request's deadline. */
  signal?: AbortLike;
  /** Told the batch this call ran in (a request's trace). */
  onBatch?: (b: BatchInfo) => void;
}

interface HandleBase {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly provider: ProviderChoice;
  /** Token cap actually applied. */
  readonly maxLength: number;
  /**
   * The session (benchmarks use it for their baseline): onnxruntime's own on the event loop, or a
   * PooledSession whose runs go to the workers.
   */
  readonly session: SessionLike;
  /** Worker threads the session runs in; 0: on the event loop. */
  readonly workers: number;
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
  const folder = await readModelFolder(spec.name, path.resolve(spec.path), spec.task, spec.variant !== undefined ? { variant: spec.variant } : {});
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
  // An injected session factory (tests) cannot cross into a worker: it runs here.
  const workers = options.createSession ? 0 : workersFor(spec);
  if (!(Number.isInteger(workers) && workers >= 0)) throw new ModelLoadError(spec.name, `workers must be a non-negative integer, got ${workers}`);
  const intraOpThreads = intraOpThreadsFor(spec.provider, workers);
  const provider: ProviderSpec = { ...spec.provider, ...(intraOpThreads !== undefined ? { intraOpThreads } : {}) };
  const pool = workers > 0 ? WorkerPool.acquire(workers, spec.provider.kind, logger) : undefined;
  let opened: { session: SessionLike; choice: ProviderChoice };
  try {
    opened = await createSession(spec.name, folder.modelPath, provider, { ...options, ...(pool ? { createSession: pool.createSession } : {}), logger });
  } finally {
    // The session (if any) holds the pool now.
    pool?.release();
  }
  const { session, choice } = opened;
  try {
    checkNames(spec, folder, session);
    const handle = buildHandle(spec, folder, tokenizer, session, choice, workers);
    await handle.warmUp();
    logger.info('inference model loaded', {
      model: spec.name,
      task: spec.task,
      provider: choice.used,
      asked: choice.asked,
      workers,
      intra_op_threads: provider.intraOpThreads ?? 'onnxruntime',
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

function checkNames(spec: ModelSpec, folder: ModelFolder, session: SessionLike): void {
  const file = folder.layout.modelFile;
  if (!session.inputNames.includes('input_ids')) {
    throw new ModelLoadError(spec.name, `${file} has no "input_ids" input (inputs: ${session.inputNames.join(', ')})`);
  }
  const unfillable = unfillableInputsMessage(file, session.inputNames);
  if (unfillable !== undefined) throw new ModelLoadError(spec.name, unfillable);
  if (session.outputNames.length === 0) throw new ModelLoadError(spec.name, `${file} has no outputs`);
}

/**
 * Padded tokens per batch, by default: bounded for transformer encoders (config.json has
 * num_hidden_layers), whose cost grows with every padded token and attention with their square. On
 * 2 CPU cores a MiniLM-L6-shaped model at 8 concurrent mixed-length calls served 17 calls/s with
 * padding bounded only by the ratio, 30–59 with 512 tokens per batch, 27–54 unbatched
 * (perf/README.md). The shipped models (no layers) gain from any batch size: unbounded.
 */
export const TRANSFORMER_BATCH_TOKENS = 512;
function defaultMaxBatchTokens(folder: ModelFolder): number | undefined {
  const layers = folder.config.num_hidden_layers;
  return typeof layers === 'number' && layers > 0 ? TRANSFORMER_BATCH_TOKENS : undefined;
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
  workers: number,
): { handle: ModelHandle; warmUp: () => Promise<void> } {
  const pad = padId(folder);
  const pooled = session instanceof PooledSession ? session : undefined;
  // Each worker's session gets a first run at load (allocations, kernel choice), not a caller.
  const replicas = pooled?.replicas ?? 1;
  const onEach = async (once: () => Promise<void>) => void (await Promise.all(Array.from({ length: replicas }, once)));
  // The one output each head reads (the heads' own preference order); an export that also computes
  // a pooled sentence_embedding, say, then skips it.
  const names = session.outputNames;
  const wanted = spec.task === 'embedding' ? 'last_hidden_state' : 'logits';
  const fetches = names.includes(wanted) ? [wanted] : spec.task === 'embedding' ? names : names.slice(0, 1);
  // The inputs' buffers move to the worker; the embedding head still needs the mask, so it keeps a copy.
  const keepMask = spec.task === 'embedding';
  const run = async (rows: readonly TokenRow[]) => {
    const built = buildFeeds(rows.map((r) => r.enc), session.inputNames, pad);
    const mask = pooled && keepMask ? built.mask.slice() : built.mask;
    const outputs = (pooled ? await pooled.run(built.feeds, fetches, { transfer: true }) : await session.run(built.feeds, fetches)) as Record<string, OutputTensor>;
    return { outputs, mask };
  };
  const batcherFor = <O>(decode: (rows: TokenRow[]) => Promise<O[]>) =>
    new MicroBatcher<TokenRow, O>(decode, {
      name: spec.name,
      ...spec.batching,
      // Batches of one model run in as many workers at once as it is open in.
      maxInFlight: spec.batching.maxInFlight ?? replicas,
      maxBatchTokens: spec.batching.maxBatchTokens ?? defaultMaxBatchTokens(folder),
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
      workers,
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
      return { handle, warmUp: () => onEach(async () => void (await decode([rowOf(WARM_UP_TEXT)]))) };
    }
    case 'token-classification': {
      const labels = folder.labels!;
      const decode = async (rows: TokenRow[]) => {
        const { outputs } = await run(rows);
        return tokenHead(pickOutput(outputs, session.outputNames, 'logits'), rows, labels, tokenizer.style);
      };
      const batcher = batcherFor(decode);
      const handle: TokenClassifierHandle = { ...base(batcher), task, labels, tokens: (text, o) => batcher.submit(rowOf(text), o?.signal, o?.onBatch) };
      return { handle, warmUp: () => onEach(async () => void (await decode([rowOf(WARM_UP_TEXT)]))) };
    }
    case 'embedding': {
      const pooling = resolvePooling(spec.pooling, folder);
      const decode = async (rows: TokenRow[]) => {
        const { outputs, mask } = await run(rows);
        return embeddingHead(outputs, session.outputNames, rows.length, mask, { pooling, dimensions: spec.dimensions });
      };
      const batcher = batcherFor(decode);
      const handle: EmbedderHandle = { ...base(batcher), task, dimensions: 0, embed: (text, o) => batcher.submit(rowOf(text), o?.signal, o?.onBatch) };
      return {
        handle,
        warmUp: async () => {
          await onEach(async () => void (await decode([rowOf(WARM_UP_TEXT)])));
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
