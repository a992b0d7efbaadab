// A pool of inference worker threads (worker.ts) shared by the models of a process. onnxruntime's
// session.run is synchronous: on the main thread one classification stalls every ext_proc stream
// and every timer, the signal budgets included. Here a model's session is opened in each worker
// of the pool and its batches run there, so the event loop keeps turning while a batch runs.
//
// What runs where:
//   main thread: tokenization, the micro-batcher, padding (buildFeeds), the task heads, the budgets;
//   worker:      session.run only.
// What crosses: one message per batch (the batches posted in one turn of the event loop, e.g. a
// request's domain and jailbreak models, share one message each way), the int64 inputs (input_ids, attention_mask,
// token_type_ids) moved as transferable buffers; the reply moves the fetched outputs back the same
// way. A batch goes to the worker with the fewest runs in flight; a worker runs one batch at a time.
//
// Pools are shared by size (`WorkerPool.acquire`) and reference-counted by their sessions: the
// workers end when the last session is released (a model closed by a reload, or at shutdown). A
// worker holds the process open only while it has work, so a pool that is never closed does not
// keep a CLI or a test run alive. A worker that exits on its own is replaced and its sessions
// reopened; the runs it had in flight fail (model_error: the signals fail open).
//
// The entry is ./worker.js next to this file when compiled (dist/); when this file runs from
// source (jest with SWC), the worker is ./worker.ts started with a small loader that compiles
// TypeScript with @swc/core (a dev dependency, there whenever the sources are).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { SessionLike } from './providers.js';
import type { InferenceLogger } from './types.js';
import { transferables, WORKER_MARK, type WireTensor, type WorkerAnswer, type WorkerReply, type WorkerRequest } from './worker.js';

type Ok = Extract<WorkerReply, { ok: true }>;

interface Pending {
  resolve: (r: Ok) => void;
  reject: (e: Error) => void;
  run: boolean;
}

interface Slot {
  index: number;
  worker: Worker;
  pending: Map<number, Pending>;
  /** Runs in flight on this worker (what dispatch balances). */
  runs: number;
  alive: boolean;
  startedAt: number;
  lastError?: string;
  /** Requests of this turn, posted together in a microtask (see WorkerMessage). */
  outbox: Array<{ msg: WorkerRequest; transfer: ArrayBuffer[] }>;
}

interface OpenSession {
  modelPath: string;
  options: ort.InferenceSession.SessionOptions;
}

export interface WorkerPoolStats {
  size: number;
  /** Workers up now (a crashed one is down until its replacement starts). */
  alive: number;
  /** Sessions open (each in every worker). */
  sessions: number;
  /** Runs in flight, all workers. */
  inFlight: number;
  runs: number;
  /** Messages posted to the workers (runs of one turn share one). */
  messages: number;
  /** Workers replaced after exiting on their own. */
  restarts: number;
}

export interface RunHints {
  /** Move the feeds' buffers to the worker (they are unusable here afterwards). Default: copy. */
  transfer?: boolean;
}

/** Restarts in a row (each within this long of the previous start) back off exponentially. */
const CRASH_WINDOW_MS = 10_000;
const MAX_RESTART_DELAY_MS = 5_000;

let tsLoader: string | undefined;

/** A data: URL module registering resolve/load hooks that compile .ts with @swc/core (source mode). */
function typescriptLoader(): string {
  if (tsLoader) return tsLoader;
  let swcPath: string;
  try {
    swcPath = createRequire(import.meta.url).resolve('@swc/core');
  } catch (e) {
    throw new Error(`inference workers from TypeScript sources need @swc/core (or run the compiled dist/): ${(e as Error).message}`, { cause: e });
  }
  const hooks = `
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const swc = createRequire(${JSON.stringify(swcPath)})(${JSON.stringify(swcPath)});
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL?.endsWith('.ts') && spec.startsWith('.') && spec.endsWith('.js')) {
    const u = new URL(spec.slice(0, -3) + '.ts', ctx.parentURL);
    if (existsSync(fileURLToPath(u))) return { url: u.href, format: 'module', shortCircuit: true };
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, ctx);
  const filename = fileURLToPath(url);
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename, sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  tsLoader = `data:text/javascript,${encodeURIComponent(register)}`;
  return tsLoader;
}

function workerEntry(): { url: URL; execArgv: string[] | undefined } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./worker.js', here), execArgv: undefined };
  return { url: new URL('./worker.ts', here), execArgv: ['--import', typescriptLoader()] };
}

export class WorkerPool {
  private static readonly shared = new Map<string, WorkerPool>();

  /**
   * The process's pool of `size` workers for `group` (the provider asked for: GPU sessions do not
   * queue behind CPU ones), started on first use. Each acquire is one reference, given back with
   * `release()`; each open session holds one more.
   */
  static acquire(size: number, group = 'cpu', logger?: InferenceLogger): WorkerPool {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
    const key = `${group}/${size}`;
    let pool = WorkerPool.shared.get(key);
    if (!pool) {
      pool = new WorkerPool(key, size);
      WorkerPool.shared.set(key, pool);
    }
    if (logger) pool.logger = logger;
    pool.refs++;
    return pool;
  }

  /** Pools alive in this process (tests check that none is left behind). */
  static live(): WorkerPool[] {
    return [...WorkerPool.shared.values()];
  }

  /** Test hook: every run blocks its worker thread this long first (a slow inference). */
  runDelayMs = 0;

  private readonly slots: Slot[] = [];
  private readonly sessions = new Map<number, OpenSession>();
  private logger: InferenceLogger = { info: () => {}, warn: () => {} };
  private refs = 0;
  private closed = false;
  private seq = 0;
  private sessionSeq = 0;
  private rr = 0;
  private runs = 0;
  private messages = 0;
  private restarts = 0;
  private crashStreak = 0;

  private constructor(
    private readonly key: string,
    readonly size: number,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(i));
  }

  stats(): WorkerPoolStats {
    return {
      size: this.size,
      alive: this.slots.filter((s) => s.alive).length,
      sessions: this.sessions.size,
      inFlight: this.slots.reduce((n, s) => n + s.runs, 0),
      runs: this.runs,
      messages: this.messages,
      restarts: this.restarts,
    };
  }

  /** Gives back one reference; the workers end with the last. */
  release(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0) void this.close();
  }

  /** Opens the model in every worker. A SessionFactory: providers.ts picks the options and falls back. */
  readonly createSession = async (modelPath: string, options: ort.InferenceSession.SessionOptions): Promise<PooledSession> => {
    if (this.closed) throw new Error('inference worker pool is closed');
    const id = ++this.sessionSeq;
    this.refs++;
    try {
      const replies = await Promise.all(this.slots.map((slot) => this.request(slot, { op: 'create', id: 0, session: id, modelPath, options })));
      this.sessions.set(id, { modelPath, options });
      const first = replies[0]!;
      return new PooledSession(this, id, first.inputNames ?? [], first.outputNames ?? []);
    } catch (e) {
      // Whatever did open goes again; the worker that refused has nothing to close.
      await Promise.allSettled(this.slots.map((slot) => this.request(slot, { op: 'release', id: 0, session: id })));
      this.release();
      throw e;
    }
  };

  /** @internal PooledSession.run */
  async run(session: number, feeds: Record<string, WireTensor>, fetches: readonly string[], transfer: ArrayBuffer[]): Promise<Record<string, WireTensor>> {
    const slot = this.pick();
    if (!slot) throw new Error('no inference worker is running (restarting after a crash)');
    this.runs++;
    const msg: WorkerRequest = { op: 'run', id: 0, session, feeds, fetches, ...(this.runDelayMs > 0 ? { delayMs: this.runDelayMs } : {}) };
    const reply = await this.request(slot, msg, transfer);
    return reply.outputs ?? {};
  }

  /** @internal PooledSession.release: after the runs queued before it, in every worker. */
  async releaseSession(session: number): Promise<void> {
    if (!this.sessions.delete(session)) return;
    try {
      await Promise.allSettled(this.slots.filter((s) => s.alive).map((slot) => this.request(slot, { op: 'release', id: 0, session })));
    } finally {
      this.release();
    }
  }

  /** Test hook: the worker at `index` ends as a crash would (terminated mid-run, not by close()). */
  async crashWorkerForTesting(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (WorkerPool.shared.get(this.key) === this) WorkerPool.shared.delete(this.key);
    await Promise.allSettled(
      this.slots.map(async (slot) => {
        slot.alive = false;
        await slot.worker.terminate();
        this.fail(slot, new Error('inference worker pool closed'));
      }),
    );
  }

  /** The live worker with the fewest runs in flight; ties go round the pool. */
  private pick(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.slots.length;
    const start = this.rr++ % n;
    for (let k = 0; k < n; k++) {
      const s = this.slots[(start + k) % n]!;
      if (s.alive && (!best || s.runs < best.runs)) best = s;
    }
    return best;
  }

  private request(slot: Slot, msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<Ok> {
    if (!slot.alive) return Promise.reject(new Error(`inference worker ${slot.index} is not running`));
    const id = ++this.seq;
    const run = msg.op === 'run';
    return new Promise<Ok>((resolve, reject) => {
      const p: Pending = { resolve, reject, run };
      slot.pending.set(id, p);
      if (run) slot.runs++;
      if (slot.pending.size === 1) slot.worker.ref();
      msg.id = id;
      if (slot.outbox.push({ msg, transfer }) === 1) queueMicrotask(() => this.flush(slot));
    });
  }

  private flush(slot: Slot): void {
    const out = slot.outbox.splice(0);
    if (out.length === 0 || !slot.alive) return; // a crash already failed them
    this.messages++;
    try {
      if (out.length === 1) slot.worker.postMessage(out[0]!.msg, out[0]!.transfer);
      else slot.worker.postMessage(out.map((o) => o.msg), out.flatMap((o) => o.transfer));
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      for (const { msg } of out) {
        const p = slot.pending.get(msg.id);
        if (!p) continue;
        this.done(slot, msg.id, p);
        p.reject(err);
      }
    }
  }

  private settle(slot: Slot, answer: WorkerAnswer): void {
    if (Array.isArray(answer)) {
      for (const r of answer) this.settle(slot, r);
      return;
    }
    const reply: WorkerReply = answer;
    const p = slot.pending.get(reply.id);
    if (!p) return;
    this.done(slot, reply.id, p);
    if (reply.ok) p.resolve(reply);
    else p.reject(new Error(reply.error));
  }

  private done(slot: Slot, id: number, p: Pending): void {
    slot.pending.delete(id);
    if (p.run) slot.runs--;
    if (slot.pending.size === 0) slot.worker.unref();
  }

  private fail(slot: Slot, err: Error): void {
    for (const [id, p] of [...slot.pending]) {
      this.done(slot, id, p);
      p.reject(err);
    }
  }

  private spawn(index: number): Slot {
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, { ...(execArgv ? { execArgv } : {}), workerData: { mark: WORKER_MARK }, name: `semroute-inference-${index}` });
    worker.unref();
    const slot: Slot = { index, worker, pending: new Map(), runs: 0, alive: true, startedAt: performance.now(), outbox: [] };
    worker.on('message', (answer: WorkerAnswer) => this.settle(slot, answer));
    worker.on('error', (e) => (slot.lastError = e.message));
    worker.on('exit', (code) => {
      if (!slot.alive) return; // terminated by close()
      slot.alive = false;
      const why = `inference worker ${index} exited with code ${code}${slot.lastError ? ` (${slot.lastError})` : ''}`;
      this.fail(slot, new Error(why));
      if (this.closed) return;
      this.crashStreak = performance.now() - slot.startedAt < CRASH_WINDOW_MS ? this.crashStreak + 1 : 1;
      const delay = this.crashStreak <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (this.crashStreak - 2));
      this.logger.warn('inference worker exited; replacing it', { worker: index, code, error: slot.lastError, restart_in_ms: delay });
      const restart = () => {
        if (this.closed || this.slots[index] !== slot) return;
        this.restarts++;
        const fresh = this.spawn(index);
        this.slots[index] = fresh;
        for (const [id, s] of this.sessions) {
          this.request(fresh, { op: 'create', id: 0, session: id, modelPath: s.modelPath, options: s.options }).catch((e: Error) =>
            this.logger.warn('inference worker could not reopen a model', { worker: index, model_path: s.modelPath, error: e.message }),
          );
        }
      };
      if (delay === 0) restart();
      else setTimeout(restart, delay).unref();
    });
    return slot;
  }
}

/** A model's session as the pool runs it: the same session open in each worker. */
export class PooledSession implements SessionLike {
  private released: Promise<void> | undefined;

  constructor(
    readonly pool: WorkerPool,
    private readonly id: number,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  /** Workers the session is open in: batches of one model can run that many at once. */
  get replicas(): number {
    return this.pool.size;
  }

  async run(feeds: Record<string, ort.Tensor>, fetches: readonly string[], hints?: RunHints): Promise<Record<string, ort.Tensor>> {
    if (this.released) throw new Error('session released');
    const wire: Record<string, WireTensor> = {};
    for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, dims: t.dims, data: t.data };
    const outputs = await this.pool.run(this.id, wire, fetches, hints?.transfer ? transferables(Object.values(wire)) : []);
    const out: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(outputs)) out[name] = new ort.Tensor(t.type, t.data, t.dims);
    return out;
  }

  release(): Promise<void> {
    return (this.released ??= this.pool.releaseSession(this.id));
  }
}
