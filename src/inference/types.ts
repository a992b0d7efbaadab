// The plain spec of one model, as the config maps onto it, and every default in one place.
//
// A model folder follows the Hugging Face ONNX export layout: model.onnx, tokenizer.json,
// tokenizer_config.json, config.json (id2label / label2id for classifiers), and optionally
// special_tokens_map.json.

export type ModelTask = 'sequence-classification' | 'token-classification' | 'embedding';
export type ProviderKind = 'cpu' | 'cuda' | 'webgpu';
export type Pooling = 'mean' | 'cls';

export interface ProviderSpec {
  kind: ProviderKind;
  /** GPU index for cuda (webgpu picks its adapter itself). Default 0. */
  deviceId?: number;
  /** Throw instead of falling back to cpu when the provider cannot be used. Default false. */
  required?: boolean;
  /** onnxruntime intra-op threads (cpu). Default: onnxruntime's choice (one per core, per session). */
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
  /** session.run calls in flight at once for this model. Default 1. */
  maxInFlight?: number;
  /** Bound on padded / real tokens in a batch; calls that would exceed it wait for the next. Default 2. */
  maxPaddingRatio?: number;
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
  /** Token cap; the effective cap is the least of this and what the tokenizer and model allow. */
  maxLength?: number;
  /** Embedding pooling; default: config.json `pooling`, else 'mean'. */
  pooling?: Pooling;
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
  batching: { maxBatchSize: 16, maxWaitUs: 2000, maxQueue: 256, maxInFlight: 1, maxPaddingRatio: 2 },
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
