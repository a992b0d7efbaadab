// A vLLM-like engine model, scaled down, for the fleet simulator and the endpoint-picker tests:
// `slots` sequences run at once, the rest wait in a FIFO queue; a KV cache of `kvBlocks` fixed
// blocks holds the running sequences' blocks and, once they end, keeps their prompt blocks for
// reuse (LRU, as vLLM's automatic prefix caching does): a prompt whose leading blocks are cached
// skips their prefill. Prefill is one compute queue (one at a time, `prefillMsPerToken` per uncached
// token); decode costs `decodeMsPerToken` per output token, in parallel over the running batch.
import { blockHashes } from '../endpoints/prefix/block-hash.js';

export interface EngineModel {
  slots: number;
  kvBlocks: number;
  blockTokens: number;
  charsPerToken: number;
  prefillMsPerToken: number;
  decodeMsPerToken: number;
}

export const DEFAULT_ENGINE: EngineModel = { slots: 8, kvBlocks: 2048, blockTokens: 16, charsPerToken: 4, prefillMsPerToken: 0.02, decodeMsPerToken: 0.2 };

export interface Sequence {
  promptTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Called when the first token is ready (after queueing and prefill). */
  onFirstToken(): void;
  /** Called when the last token is ready. */
  onDone(): void;
}

interface Job {
  hashes: number[];
  promptTokens: number;
  outputTokens: number;
  blocks: number;
  seq: Partial<Sequence> & Pick<Sequence, 'onFirstToken' | 'onDone'>;
  cancelled: boolean;
}

/** When the engine's work completes: real timers, or a simulator's virtual clock (perf/fleet/). */
export interface EngineTimer {
  after(ms: number, f: () => void): void;
  clear(): void;
}

export function realTimer(): EngineTimer {
  const timers = new Set<NodeJS.Timeout>();
  return {
    after(ms, f) {
      const t = setTimeout(() => {
        timers.delete(t);
        f();
      }, ms);
      timers.add(t);
    },
    clear() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export class VllmEngine {
  private readonly waiting: Job[] = [];
  private readonly prefillQueue: Job[] = [];
  private prefilling = false;
  private running = 0;
  private usedBlocks = 0;
  /** Cached prompt blocks, oldest first (Map order). */
  private readonly cache = new Map<number, true>();
  /** Prompt tokens asked and found cached (vllm:prefix_cache_queries / _hits). */
  queries = 0;
  hits = 0;
  constructor(
    readonly model: EngineModel,
    private readonly timer: EngineTimer = realTimer(),
  ) {}

  metrics(): { waiting: number; running: number; kvUsage: number } {
    return { waiting: this.waiting.length, running: this.running, kvUsage: this.usedBlocks / this.model.kvBlocks };
  }

  /** Submits a request; returns a cancel function (the client went away). */
  submit(prompt: string, outputTokens: number, seq: Job['seq']): () => void {
    const m = this.model;
    const hashes = blockHashes(prompt, { blockSize: m.blockTokens, charsPerToken: m.charsPerToken, maxBlocks: 1 << 20 });
    const promptTokens = Math.max(1, Math.ceil(prompt.length / m.charsPerToken));
    const blocks = Math.ceil((promptTokens + outputTokens) / m.blockTokens);
    const job: Job = { hashes, promptTokens, outputTokens, blocks: Math.min(blocks, m.kvBlocks), seq, cancelled: false };
    this.waiting.push(job);
    this.schedule();
    return () => {
      job.cancelled = true;
      const i = this.waiting.indexOf(job);
      if (i >= 0) this.waiting.splice(i, 1);
    };
  }

  close(): void {
    this.timer.clear();
  }

  private later(ms: number, f: () => void): void {
    this.timer.after(ms, f);
  }

  /** Admits waiting jobs while a slot and their KV blocks are free. */
  private schedule(): void {
    while (this.waiting.length > 0 && this.running < this.model.slots) {
      const job = this.waiting[0]!;
      if (this.usedBlocks + job.blocks > this.model.kvBlocks && this.running > 0) break;
      this.waiting.shift();
      this.running++;
      this.usedBlocks += job.blocks;
      this.prefillQueue.push(job);
    }
    this.prefillNext();
  }

  private prefillNext(): void {
    if (this.prefilling) return;
    const job = this.prefillQueue.shift();
    if (!job) return;
    this.prefilling = true;
    let cachedBlocks = 0;
    while (cachedBlocks < job.hashes.length && this.cache.has(job.hashes[cachedBlocks]!)) cachedBlocks++;
    const cachedTokens = Math.min(job.promptTokens, cachedBlocks * this.model.blockTokens);
    this.queries += job.promptTokens;
    this.hits += cachedTokens;
    job.seq.cachedTokens = cachedTokens;
    this.later((job.promptTokens - cachedTokens) * this.model.prefillMsPerToken, () => {
      this.prefilling = false;
      this.remember(job.hashes);
      if (!job.cancelled) job.seq.onFirstToken();
      this.later(job.outputTokens * this.model.decodeMsPerToken, () => {
        this.running--;
        this.usedBlocks -= job.blocks;
        if (!job.cancelled) job.seq.onDone();
        this.schedule();
      });
      this.prefillNext();
    });
  }

  /** The prompt's blocks stay cached (LRU over kvBlocks entries). */
  private remember(hashes: readonly number[]): void {
    for (const h of hashes) {
      this.cache.delete(h);
      this.cache.set(h, true);
    }
    while (this.cache.size > this.model.kvBlocks) this.cache.delete(this.cache.keys().next().value!);
  }
}
