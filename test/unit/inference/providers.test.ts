import { describe, expect, test } from '@jest/globals';
import type { InferenceSession } from 'onnxruntime-node';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createSession, sessionOptions, unavailableReason, type BackendInfo, type SessionLike } from '../../../src/inference/providers.js';

const fakeSession: SessionLike = { inputNames: ['input_ids'], outputNames: ['logits'], run: () => Promise.resolve({}), release: () => Promise.resolve() };

function harness(opts: { backends: BackendInfo[]; failFor?: string[] }) {
  const tried: InferenceSession.SessionOptions[] = [];
  const logs: { level: string; msg: string; fields: Record<string, unknown> | undefined }[] = [];
  const createSessionFn = (_path: string, o: InferenceSession.SessionOptions) => {
    tried.push(o);
    const ep = o.executionProviders?.[0];
    const name = typeof ep === 'string' ? ep : (ep as { name: string }).name;
    return opts.failFor?.includes(name) ? Promise.reject(new Error(`no ${name} device`)) : Promise.resolve(fakeSession);
  };
  const deps = {
    createSession: createSessionFn,
    listBackends: () => opts.backends,
    logger: {
      info: (msg: string, fields?: Record<string, unknown>) => void logs.push({ level: 'info', msg, fields }),
      warn: (msg: string, fields?: Record<string, unknown>) => void logs.push({ level: 'warn', msg, fields }),
    },
  };
  return { tried, logs, deps };
}

const ALL: BackendInfo[] = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: true },
];

describe('provider selection', () => {
  test('cpu passes thread counts to onnxruntime', () => {
    expect(sessionOptions('cpu', { kind: 'cpu', intraOpThreads: 2, interOpThreads: 1 })).toMatchObject({
      executionProviders: ['cpu'],
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
    });
  });

  test('cuda asks for the configured device', async () => {
    const h = harness({ backends: ALL });
    const r = await createSession('m', 'x.onnx', { kind: 'cuda', deviceId: 3 }, h.deps);
    expect(r.choice).toEqual({ asked: 'cuda', used: 'cuda' });
    expect(h.tried[0]!.executionProviders).toEqual([{ name: 'cuda', deviceId: 3 }]);
    expect(h.logs).toEqual([{ level: 'info', msg: 'inference provider ready', fields: { model: 'm', asked: 'cuda', used: 'cuda' } }]);
  });

  test('a GPU provider whose session fails falls back to cpu with a warning naming the reason', async () => {
    const h = harness({ backends: ALL, failFor: ['webgpu'] });
    const r = await createSession('m', 'x.onnx', { kind: 'webgpu' }, h.deps);
    expect(r.choice).toEqual({ asked: 'webgpu', used: 'cpu', fallbackReason: 'session creation with webgpu failed: no webgpu device' });
    expect(h.tried.map((o) => o.executionProviders)).toEqual([[{ name: 'webgpu' }], ['cpu']]);
    expect(h.logs.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', msg: 'inference provider unavailable, falling back to cpu', fields: { model: 'm', asked: 'webgpu', used: 'cpu', reason: 'session creation with webgpu failed: no webgpu device' } },
    ]);
  });

  test('a provider not bundled is not even tried', async () => {
    const h = harness({ backends: [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }] });
    const r = await createSession('m', 'x.onnx', { kind: 'cuda' }, h.deps);
    expect(r.choice.used).toBe('cpu');
    expect(r.choice.fallbackReason).toMatch(/cuda backend is not bundled/);
    expect(h.tried).toHaveLength(1);
  });

  test('required: true throws a clear error instead of falling back', async () => {
    const h = harness({ backends: [{ name: 'cpu', bundled: true }] });
    await expect(createSession('m', 'x.onnx', { kind: 'cuda', required: true }, h.deps)).rejects.toThrow(
      /^model m: provider cuda is required but unavailable: onnxruntime-node on \w+\/\w+ has no cuda backend$/,
    );
    expect(h.tried).toHaveLength(0);
  });

  test('a cpu session that fails is a load error, not a fallback', async () => {
    const h = harness({ backends: ALL, failFor: ['cpu'] });
    await expect(createSession('m', 'x.onnx', { kind: 'cpu' }, h.deps)).rejects.toThrow('model m: cannot create the onnxruntime session: no cpu device');
  });

  test('unavailableReason reads the backend list', () => {
    expect(unavailableReason('cpu', [])).toBeUndefined();
    expect(unavailableReason('webgpu', ALL)).toBeUndefined();
    expect(unavailableReason('webgpu', [{ name: 'webgpu', bundled: false }])).toMatch(/not bundled/);
  });
});

describe('the project logger', () => {
  test('fits the inference logger and records what was asked and what is in use', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', stream: { write: (s: string) => lines.push(s) } });
    const h = harness({ backends: [{ name: 'cpu', bundled: true }] });
    await createSession('m', 'x.onnx', { kind: 'webgpu' }, { ...h.deps, logger });
    const warn = JSON.parse(lines.find((l) => l.includes('falling back'))!);
    expect(warn).toMatchObject({ level: 'warn', model: 'm', asked: 'webgpu', used: 'cpu' });
  });
});
