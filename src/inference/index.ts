// The inference layer's public surface.
export * from './types.js';
export * from './errors.js';
export {
  INFERENCE_CALL_OUTCOMES,
  inferenceCallCounts,
  MicroBatcher,
  type BatchInfo,
  type BatchRunner,
  type BatcherOptions,
  type BatcherStats,
  type InferenceCallCounts,
  type InferenceCallOutcome,
} from './batcher.js';
export { loadModel, type CallOptions, type ClassifierHandle, type EmbedderHandle, type LoadOptions, type ModelHandle, type TokenClassifierHandle } from './model.js';
export { type ProviderChoice, type SessionFactory, type SessionLike } from './providers.js';
export { PooledSession, WorkerPool, type WorkerPoolStats } from './worker-pool.js';
