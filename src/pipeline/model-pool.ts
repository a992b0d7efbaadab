// The inference models of every live config snapshot. A reload reuses a model whose spec did not
// change (no reload of the session), loads new ones before the swap, and closes models no current
// snapshot uses after a grace period, so streams that began on the old snapshot can finish.
import type { Config } from '../config/schema.js';
import { loadModel, withDefaults, type InferenceLogger, type ModelHandle, type ModelSpec } from '../inference/index.js';
import type { TextTokenizer } from '../inference/text-tokenizer.js';

/** How long a model nobody uses any more stays open for streams still on an old snapshot. */
const RETIRE_AFTER_MS = 60_000;

export function modelSpecFor(cfg: Config, name: string): ModelSpec {
  const m = cfg.inference.models[name];
  if (!m) throw new Error(`unknown inference model ${name}`);
  const ep = m.execution_provider ?? cfg.inference.execution_provider;
  const b = m.batching ?? cfg.inference.batching;
  return withDefaults({
    name,
    path: m.path,
    task: m.task,
    provider: {
      kind: ep.name,
      deviceId: ep.device_id,
      required: ep.required,
      ...(ep.intra_op_threads > 0 ? { intraOpThreads: ep.intra_op_threads } : {}),
      ...(ep.inter_op_threads > 0 ? { interOpThreads: ep.inter_op_threads } : {}),
    },
    batching: { maxBatchSize: b.max_batch_size, maxWaitUs: b.max_wait_us, maxQueue: b.max_queue, maxQueueTokens: b.max_queue_tokens, ...(b.max_batch_tokens !== undefined ? { maxBatchTokens: b.max_batch_tokens } : {}) },
    // The batcher's own deadline is a backstop; the signal's budget usually ends the wait first.
    timeoutMs: Math.max(cfg.inference.timeout_ms * 4, 1000),
    ...(m.max_length !== undefined ? { maxLength: m.max_length } : {}),
    ...(m.pooling !== undefined ? { pooling: m.pooling } : {}),
    ...(m.variant !== undefined ? { variant: m.variant } : {}),
    ...(cfg.inference.workers !== undefined ? { workers: cfg.inference.workers } : {}),
    ...(m.dimensions !== undefined ? { dimensions: m.dimensions } : {}),
  });
}

interface Entry {
  handle: Promise<ModelHandle>;
  users: number;
  retire?: NodeJS.Timeout;
}

export class ModelPool {
  private readonly entries = new Map<string, Entry>();
  /** Shared by models with identical tokenizer files (the three default models have one). */
  private readonly tokenizers = new Map<string, TextTokenizer>();

  constructor(
    private readonly logger: InferenceLogger,
    private readonly retireAfterMs = RETIRE_AFTER_MS,
  ) {}

  /** Loads (or reuses) every spec; on any failure releases what it took and throws. */
  async acquire(specs: ModelSpec[]): Promise<{ models: Map<string, ModelHandle>; release(): void }> {
    const keys = specs.map((s) => JSON.stringify(s));
    const taken: string[] = [];
    try {
      const handles = await Promise.all(
        specs.map((spec, i) => {
          const key = keys[i]!;
          let e = this.entries.get(key);
          if (!e) {
            const handle = loadModel(spec, { logger: this.logger, tokenizers: this.tokenizers });
            e = { handle, users: 0 };
            this.entries.set(key, e);
            // A failed load must not stay cached: the next reload tries again.
            handle.catch(() => this.entries.get(key) === e && this.entries.delete(key));
          }
          clearTimeout(e.retire);
          e.users++;
          taken.push(key);
          return e.handle;
        }),
      );
      let released = false;
      return {
        models: new Map(specs.map((s, i) => [s.name, handles[i]!])),
        release: () => {
          if (released) return;
          released = true;
          for (const k of keys) this.drop(k, this.retireAfterMs);
        },
      };
    } catch (e) {
      for (const k of taken) this.drop(k, 0);
      throw e;
    }
  }

  private drop(key: string, afterMs: number): void {
    const e = this.entries.get(key);
    if (!e || --e.users > 0) return;
    const close = () => {
      if (this.entries.get(key) !== e || e.users > 0) return;
      this.entries.delete(key);
      void e.handle
        .then(async (h) => {
          await h.close();
          this.logger.info('model retired: no config snapshot uses it', { model: h.name });
        })
        .catch(() => undefined);
    };
    if (afterMs === 0) close();
    else {
      e.retire = setTimeout(close, afterMs);
      e.retire.unref();
    }
  }

  /** How many models are open (loaded or loading). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every model now (shutdown). */
  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) clearTimeout(e.retire);
    await Promise.allSettled(all.map((e) => e.handle.then((h) => h.close())));
  }
}
