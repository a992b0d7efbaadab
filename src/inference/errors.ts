// Errors the inference layer gives callers. `code` is stable: signals map it to fail-open or
// fail-closed behaviour and metrics label on it.

export type InferenceErrorCode = 'overloaded' | 'timeout' | 'model_error' | 'closed';

export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InferenceError';
  }
}

export class InferenceOverloadedError extends InferenceError {
  constructor(model: string, maxQueue: number, tokens?: { tokens: number; maxTokens: number }) {
    super(
      'overloaded',
      tokens ? `model ${model}: queue full (${tokens.tokens} of ${tokens.maxTokens} tokens waiting)` : `model ${model}: queue full (${maxQueue} waiting)`,
    );
    this.name = 'InferenceOverloadedError';
  }
}

export class InferenceTimeoutError extends InferenceError {
  constructor(model: string, timeoutMs: number, reason?: string) {
    super('timeout', `model ${model}: ${reason ?? `no result within ${timeoutMs} ms`}`);
    this.name = 'InferenceTimeoutError';
  }
}

export class InferenceClosedError extends InferenceError {
  constructor(model: string) {
    super('closed', `model ${model}: closed`);
    this.name = 'InferenceClosedError';
  }
}

export class InferenceModelError extends InferenceError {
  constructor(model: string, cause: unknown) {
    super('model_error', `model ${model}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'InferenceModelError';
  }
}

/** A model folder or spec that cannot be loaded; the message names the file or field. */
export class ModelLoadError extends Error {
  constructor(
    readonly model: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`model ${model}: ${message}`, options);
    this.name = 'ModelLoadError';
  }
}
