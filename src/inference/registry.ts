// The set of loaded models, by name. Loads all specs (in parallel), closes them together.
import { ModelLoadError } from './errors.js';
import {
  loadModel,
  type ClassifierHandle,
  type EmbedderHandle,
  type LoadOptions,
  type ModelHandle,
  type TokenClassifierHandle,
} from './model.js';
import { withDefaults, type ModelSpec, type ModelSpecInput, type ModelTask } from './types.js';

export class ModelRegistry {
  private constructor(private readonly models: Map<string, ModelHandle>) {}

  /** Loads every spec; if one fails, the ones already loaded are closed and the error is thrown. */
  static async load(specs: readonly (ModelSpec | ModelSpecInput)[], options: LoadOptions = {}): Promise<ModelRegistry> {
    const names = new Set<string>();
    for (const s of specs) {
      if (names.has(s.name)) throw new ModelLoadError(s.name, 'duplicate model name');
      names.add(s.name);
    }
    const results = await Promise.allSettled(specs.map((s) => loadModel(withDefaults(s), options)));
    const loaded = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(loaded.map((m) => m.close()));
      throw failed.reason;
    }
    return new ModelRegistry(new Map(loaded.map((m) => [m.name, m])));
  }

  names(): string[] {
    return [...this.models.keys()];
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  get(name: string): ModelHandle {
    const m = this.models.get(name);
    if (!m) throw new Error(`no model named ${name} (loaded: ${this.names().join(', ') || 'none'})`);
    return m;
  }

  classifier(name: string): ClassifierHandle {
    return this.expect(name, 'sequence-classification') as ClassifierHandle;
  }

  tokenClassifier(name: string): TokenClassifierHandle {
    return this.expect(name, 'token-classification') as TokenClassifierHandle;
  }

  embedder(name: string): EmbedderHandle {
    return this.expect(name, 'embedding') as EmbedderHandle;
  }

  async close(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    await Promise.allSettled(all.map((m) => m.close()));
  }

  private expect(name: string, task: ModelTask): ModelHandle {
    const m = this.get(name);
    if (m.task !== task) throw new Error(`model ${name} is a ${m.task} model, not ${task}`);
    return m;
  }
}
