// The inference worker thread (started by worker-pool.ts): it holds onnxruntime sessions and runs
// the batches the main thread sends. Tokenization, padding and the task heads stay on the main
// thread; what crosses is typed arrays: the padded int64 inputs in, the fetched outputs back, both
// transferred (moved, not copied) when their buffers allow it.
//
// onnxruntime-node's session.run is synchronous inside its promise: a run blocks this thread, not
// the event loop. Operations are handled one at a time in arrival order, so a release that follows
// a run waits for it, and a run that follows a create finds its session.
//
// Only type imports from the rest of the layer: the entry also runs under jest from source (the
// pool starts it with a TypeScript loader), where it must not drag the layer in.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** A tensor on the wire: what onnxruntime's Tensor holds, as structured-clone data. */
export interface WireTensor {
  type: ort.Tensor.Type;
  dims: readonly number[];
  data: ort.Tensor.DataType;
}

export type WorkerRequest =
  | { op: 'create'; id: number; session: number; modelPath: string; options: ort.InferenceSession.SessionOptions }
  | {
      op: 'run';
      id: number;
      session: number;
      feeds: Record<string, WireTensor>;
      fetches: readonly string[];
      /** Test hook: block this thread for so long before the run (what a slow run looks like). */
      delayMs?: number;
    }
  | { op: 'release'; id: number; session: number };

export type WorkerReply =
  | { id: number; ok: true; inputNames?: readonly string[]; outputNames?: readonly string[]; outputs?: Record<string, WireTensor>; runMs?: number }
  | { id: number; ok: false; error: string };

/**
 * What crosses to the worker: one request, or several posted in the same turn of the main
 * thread's event loop (the batches of a request's models), answered by one message of replies in
 * the same order. A message costs a thread wake-up each way (tens of µs on a busy machine).
 */
export type WorkerMessage = WorkerRequest | WorkerRequest[];
export type WorkerAnswer = WorkerReply | WorkerReply[];

/** The ArrayBuffers that can be moved rather than copied: whole, unshared buffers only. */
export function transferables(tensors: Iterable<WireTensor>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const d = t.data;
    if (ArrayBuffer.isView(d) && d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) out.add(d.buffer);
  }
  return [...out];
}

function sleepThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const sessions = new Map<number, ort.InferenceSession>();

async function handle(msg: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (msg.op) {
    case 'create': {
      const s = await ort.InferenceSession.create(msg.modelPath, msg.options);
      sessions.set(msg.session, s);
      return { reply: { id: msg.id, ok: true, inputNames: s.inputNames, outputNames: s.outputNames }, transfer: [] };
    }
    case 'run': {
      const s = sessions.get(msg.session);
      if (!s) throw new Error(`session ${msg.session} is not open in this worker`);
      if (msg.delayMs) sleepThread(msg.delayMs);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const t0 = performance.now();
      const result = await s.run(feeds, msg.fetches as string[]);
      const runMs = performance.now() - t0;
      const outputs: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(result)) outputs[name] = { type: t.type, dims: t.dims, data: t.data };
      return { reply: { id: msg.id, ok: true, outputs, runMs }, transfer: transferables(Object.values(outputs)) };
    }
    case 'release': {
      const s = sessions.get(msg.session);
      sessions.delete(msg.session);
      await s?.release();
      return { reply: { id: msg.id, ok: true }, transfer: [] };
    }
  }
}

async function answer(msg: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  try {
    return await handle(msg);
  } catch (e) {
    return { reply: { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
}

function post(reply: WorkerAnswer, transfer: ArrayBuffer[]): void {
  try {
    parentPort!.postMessage(reply, transfer);
  } catch {
    // A buffer that cannot be detached (one onnxruntime still owns): send a copy instead.
    parentPort!.postMessage(reply);
  }
}

/** Set in workerData by the pool: only a thread it started serves requests. */
export const WORKER_MARK = 'semroute-inference-worker';

if (parentPort && (workerData as { mark?: unknown } | null)?.mark === WORKER_MARK) {
  let tail: Promise<void> = Promise.resolve();
  parentPort.on('message', (msg: WorkerMessage) => {
    tail = tail.then(async () => {
      const replies: WorkerReply[] = [];
      const transfer: ArrayBuffer[] = [];
      for (const m of Array.isArray(msg) ? msg : [msg]) {
        const r = await answer(m);
        replies.push(r.reply);
        transfer.push(...r.transfer);
      }
      post(Array.isArray(msg) ? replies : replies[0]!, transfer);
    });
  });
}
