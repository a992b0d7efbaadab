// The plain spec of one model, as the config maps onto it, and every default in one place.
//
// A model folder follows the Hugging Face ONNX export layout: model.onnx, tokenizer.json,
// tokenizer_config.json, config.json (id2label / label2id for classifiers), and optionally
// special_tokens_map.json.
import os from 'node:os';
import type { ModelVariant } from './layouts.js';

export type ModelTask = 'sequence-classification' | 'token-classification' | 'embedding';
export type ProviderKind = 'cpu' | 'cuda' | 'webgpu';
export type Pooling = 'mean' | 'cls' | 'max';

export interface ProviderSpec {
  kind: ProviderKind;
  /** GPU index for cuda (webgpu picks its adapter itself). Default 0. */
  deviceId?: number;
  /** Throw instead of falling back to cpu when the provider cannot be used. Default false. */
  required?: boolean;
  /**
   * onnxruntime intra-op threads per session (cpu), i.e. per worker. Default (`intraOpThreadsFor`):
   * 1 when several workers share the cores, the cores but one for a single worker, onnxruntime's
   * choice (one per core) on the event loop.
   */
  intraOpThreads?: number;
  /** onnxruntime inter-op threads (cpu). Default: onnxruntime's choice. */
  interOpThreads?: number;
}

export interface BatchingSpec {
  /** Most calls in one session.run. Default 16. */
  maxBatchSize: number;
  /**
   * Longest the first queued call waits for company. The batch runs earlier when it is full or
   * when no call arrived during the last event-loop turn (an idle model adds no wait). Default 2000 µs.
   */
  maxWaitUs: number;
  /** Calls waiting beyond this are refused at once with code 'overloaded'. Default 256. */
  maxQueue: number;
  /**
   * Tokens waiting (the sum of the queued calls' lengths) beyond which a call is refused at once
   * with code 'overloaded'; a call finding the queue empty is always taken. Default: no bound.
   */
  maxQueueTokens?: number;
  /** session.run calls in flight at once for this model. Default: one per worker (1 on the event loop). */
  maxInFlight?: number;
  /** Bound on padded / real tokens in a batch; calls that would exceed it wait for the next. Default 2. */
  maxPaddingRatio?: number;
  /** Bound on a batch's padded tokens (size × longest); the oldest call always goes. Default: no bound. */
  maxBatchTokens?: number;
}

export interface ModelSpec {
  /** The name the config knows the model by (logs, errors, metrics). */
  name: string;
  /** The model folder. */
  path: string;
  task: ModelTask;
  provider: ProviderSpec;
  batching: BatchingSpec;
  /** Per-call budget from enqueue to result. Default 1000 ms. */
  timeoutMs: number;
  /**
   * Inference worker threads the session runs in (worker-pool.ts); 0 runs it on the event loop.
   * Models with the same count share the workers. Default: `defaultWorkers(provider.kind)`.
   */
  workers?: number;
  /** Token cap; the effective cap is the least of this and what the tokenizer and model allow. */
  maxLength?: number;
  /** Embedding pooling; default: the sentence-transformers Pooling module, else config.json `pooling`, else 'mean'. */
  pooling?: Pooling;
  /** Which graph of a folder with several (layouts.ts DEFAULT_VARIANTS without it). */
  variant?: ModelVariant;
  /** Matryoshka truncation of embeddings (then re-normalised). Default: the full dimension. */
  dimensions?: number;
}

/** What a caller may leave out; `withDefaults` fills it in. */
export type ModelSpecInput = Pick<ModelSpec, 'name' | 'path' | 'task'> &
  Partial<Omit<ModelSpec, 'name' | 'path' | 'task' | 'provider' | 'batching'>> & {
    provider?: Partial<ProviderSpec>;
    batching?: Partial<BatchingSpec>;
  };

export const DEFAULTS = {
  provider: { kind: 'cpu' as ProviderKind, deviceId: 0, required: false },
  batching: { maxBatchSize: 16, maxWaitUs: 2000, maxQueue: 256, maxPaddingRatio: 2 },
  timeoutMs: 1000,
  /** Used only when neither the tokenizer nor the model config states a limit. */
  fallbackMaxLength: 512,
  pooling: 'mean' as Pooling,
} as const;

export function withDefaults(input: ModelSpecInput): ModelSpec {
  return {
    ...input,
    provider: { ...DEFAULTS.provider, ...input.provider },
    batching: { ...DEFAULTS.batching, ...input.batching },
    timeoutMs: input.timeoutMs ?? DEFAULTS.timeoutMs,
  };
}

/** Most workers the default gives (more rarely pays for small models; a config may ask for them). */
export const MAX_DEFAULT_WORKERS = 4;

/**
 * Workers when the spec does not say: on cpu the cores but one (the event loop's), at least 1 and
 * at most MAX_DEFAULT_WORKERS; on a GPU 1 (one session feeds the device; more would each hold its
 * own copy of the weights in device memory).
 */
export function defaultWorkers(kind: ProviderKind, cpus: number = os.availableParallelism()): number {
  if (kind !== 'cpu') return 1;
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cpus - 1));
}

export function workersFor(spec: Pick<ModelSpec, 'workers' | 'provider'>): number {
  return spec.workers ?? defaultWorkers(spec.provider.kind);
}

/**
 * intra-op threads per session when the spec does not say: one per worker when several share
 * the cores (batches in parallel beat threads inside one small run), the cores but one for a single
 * cpu worker; undefined (onnxruntime's choice) on the event loop and on GPUs.
 */
export function intraOpThreadsFor(provider: ProviderSpec, workers: number, cpus: number = os.availableParallelism()): number | undefined {
  if (provider.intraOpThreads !== undefined) return provider.intraOpThreads;
  if (workers === 0 || provider.kind !== 'cpu') return undefined;
  return workers > 1 ? 1 : Math.max(1, cpus - 1);
}

/** Structural logger: the project's telemetry logger fits, so does a console adapter. */
export interface InferenceLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: InferenceLogger = { info: () => {}, warn: () => {} };

export interface ClassifyResult {
  label: string;
  confidence: number;
  distribution: Record<string, number>;
}

export interface EntitySpan {
  label: string;
  /** Character offsets into the original text, end exclusive. */
  start: number;
  end: number;
  score: number;
  text: string;
}
