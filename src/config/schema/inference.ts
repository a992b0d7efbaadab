// inference: the ONNX models that classification signals use.
import { z } from 'zod';

export const executionProviderSchema = z.strictObject({
  name: z
    .enum(['cpu', 'cuda', 'webgpu'])
    .default('cpu')
    .describe('cpu; cuda (needs the CUDA provider: npm ci --onnxruntime-node-install=cuda12); webgpu (bundled, Dawn over Vulkan).'),
  device_id: z.number().int().nonnegative().default(0).describe('GPU index for cuda/webgpu.'),
  required: z.boolean().default(false).describe('Fail at start when the provider is unavailable instead of falling back to cpu.'),
  intra_op_threads: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      'Threads inside one operator, per session (each inference worker has its own). 0: 1 when several workers share the CPU, the cores but one for a single CPU worker, onnxruntime decides with workers: 0 or on a GPU.',
    ),
  inter_op_threads: z.number().int().nonnegative().default(0).describe('Threads across operators (0: onnxruntime decides).'),
});

export const batchingSchema = z.strictObject({
  max_batch_size: z.number().int().min(1).max(1024).default(32).describe('Most texts in one session run.'),
  max_wait_us: z.number().int().nonnegative().max(100_000).default(1000).describe('Longest a text waits for others to join its batch.'),
  max_queue: z.number().int().positive().default(1024).describe('Texts waiting per model; beyond it calls fail fast as overloaded.'),
  max_queue_tokens: z
    .number()
    .int()
    .positive()
    .default(65_536)
    .describe('Tokens waiting per model (the queued texts\' token counts summed); beyond it calls fail fast as overloaded. A text finding the queue empty is always taken.'),
  max_batch_tokens: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Padded tokens per batch (texts × the longest). Default: 512 for transformer encoders (config.json has num_hidden_layers; their cost grows with every padded token), no bound for the shipped models. A text longer than it runs alone.',
    ),
});

export const inferenceModelSchema = z.strictObject({
  path: z.string().min(1).describe('Folder in the Hugging Face ONNX export layout (model.onnx, tokenizer.json, config.json). Relative to the config file.'),
  task: z.enum(['sequence-classification', 'token-classification', 'embedding']).describe('What the model computes: labels per text, labels per token, or a vector per text.'),
  max_length: z.number().int().positive().max(32_768).optional().describe("Truncation length in tokens (default: the tokenizer's model_max_length)."),
  pooling: z.enum(['mean', 'cls', 'max']).optional().describe('Embedding pooling (default: the sentence-transformers 1_Pooling module, else config.json pooling, else mean).'),
  dimensions: z.number().int().positive().optional().describe('Matryoshka truncation of embeddings.'),
  variant: z.enum(['fp32', 'quantized', 'fp16', 'int8']).optional().describe('Which graph of a folder with several (model.onnx, model_quantized.onnx, model_fp16.onnx, model_int8.onnx, at the root or under onnx/). Default: fp32, else quantized.'),
  execution_provider: executionProviderSchema.optional().describe('Overrides inference.execution_provider.'),
  batching: batchingSchema.optional().describe('Overrides inference.batching.'),
});

/** The shipped defaults; a config may override them or add models under other names. */
export const BUILTIN_INFERENCE_MODELS = {
  domain: { path: 'models/domain-classifier', task: 'sequence-classification' },
  jailbreak: { path: 'models/jailbreak-detector', task: 'sequence-classification' },
  embedding: { path: 'models/embedding', task: 'embedding' },
} as const;

export const inferenceSchema = z
  .strictObject({
    execution_provider: executionProviderSchema.prefault({}).describe('Where models run.'),
    batching: batchingSchema.prefault({}).describe('Dynamic micro-batching per model.'),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .max(60_000)
      .default(50)
      .describe('Per-call budget, from the request reaching its signals; queueing counts. A late classification counts as not matched (the run finishes in its worker, its result is dropped).'),
    workers: z
      .number()
      .int()
      .nonnegative()
      .max(64)
      .optional()
      .describe(
        'Inference worker threads, shared by the models (each opens its session in every worker); batches run there and the event loop keeps serving streams and timers. Default: on CPU the cores but one, at least 1, at most 4; 1 on a GPU. 0 runs sessions on the event loop (a run then stalls every stream and no budget fires during it).',
      ),
    models: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), inferenceModelSchema.describe('One model: its folder and task.'))
      .default({})
      .describe('Models by name. domain, jailbreak and embedding default to the shipped models under models/.'),
  })
  .prefault({});

export type InferenceConfig = z.infer<typeof inferenceSchema>;
export type InferenceModelConfig = z.infer<typeof inferenceModelSchema>;
