// Execution providers: cpu (thread counts), cuda (device id), webgpu (bundled in onnxruntime-node
// on Linux: Dawn over Vulkan). A GPU provider that is not available falls back to cpu with a
// warning, or throws when the spec says `required`. The session factory and the backend list are
// injectable so that the fallback can be tested without a GPU.
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from './errors.js';
import type { InferenceLogger, ProviderKind, ProviderSpec } from './types.js';

/** The part of an onnxruntime session the inference layer uses. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** `fetches`: the outputs wanted (onnxruntime skips the graph parts nothing reads). */
  run(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export type SessionFactory = (modelPath: string, options: ort.InferenceSession.SessionOptions) => Promise<SessionLike>;

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

export interface ProviderDeps {
  createSession?: SessionFactory;
  listBackends?: () => readonly BackendInfo[];
  logger: InferenceLogger;
}

export interface ProviderChoice {
  asked: ProviderKind;
  used: ProviderKind;
  /** Why the asked provider is not the one in use. */
  fallbackReason?: string;
}

export const defaultSessionFactory: SessionFactory = (modelPath, options) => ort.InferenceSession.create(modelPath, options);

export function sessionOptions(kind: ProviderKind, spec: ProviderSpec): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    // onnxruntime's pool threads spin while waiting for work by default: on a router that runs
    // small models between gRPC messages, that burns the cores the event loop needs.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  if (spec.intraOpThreads !== undefined) options.intraOpNumThreads = spec.intraOpThreads;
  if (spec.interOpThreads !== undefined) options.interOpNumThreads = spec.interOpThreads;
  switch (kind) {
    case 'cpu':
      options.executionProviders = ['cpu'];
      break;
    case 'cuda':
      options.executionProviders = [{ name: 'cuda', deviceId: spec.deviceId ?? 0 }];
      break;
    case 'webgpu':
      options.executionProviders = [{ name: 'webgpu' }];
      break;
  }
  return options;
}

/** Why `kind` cannot be used per the backend list, or undefined if it may be tried. */
export function unavailableReason(kind: ProviderKind, backends: readonly BackendInfo[]): string | undefined {
  if (kind === 'cpu') return undefined;
  const b = backends.find((x) => x.name === kind);
  if (!b) return `onnxruntime-node on ${process.platform}/${process.arch} has no ${kind} backend`;
  if (!b.bundled) return `the ${kind} backend is not bundled with this onnxruntime-node build`;
  return undefined;
}

export async function createSession(
  model: string,
  modelPath: string,
  spec: ProviderSpec,
  deps: ProviderDeps,
): Promise<{ session: SessionLike; choice: ProviderChoice }> {
  const create = deps.createSession ?? defaultSessionFactory;
  const asked = spec.kind;
  let reason = unavailableReason(asked, (deps.listBackends ?? ort.listSupportedBackends)());
  if (reason === undefined) {
    try {
      const session = await create(modelPath, sessionOptions(asked, spec));
      deps.logger.info('inference provider ready', { model, asked, used: asked });
      return { session, choice: { asked, used: asked } };
    } catch (e) {
      if (asked === 'cpu') throw new ModelLoadError(model, `cannot create the onnxruntime session: ${message(e)}`, { cause: e });
      reason = `session creation with ${asked} failed: ${message(e)}`;
    }
  }
  if (spec.required) {
    throw new ModelLoadError(model, `provider ${asked} is required but unavailable: ${reason}`);
  }
  deps.logger.warn('inference provider unavailable, falling back to cpu', { model, asked, used: 'cpu', reason });
  try {
    const session = await create(modelPath, sessionOptions('cpu', spec));
    return { session, choice: { asked, used: 'cpu', fallbackReason: reason } };
  } catch (e) {
    throw new ModelLoadError(model, `cannot create the onnxruntime session: ${message(e)}`, { cause: e });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
