// A jest environment for tests that run onnxruntime-node. onnxruntime's native binding creates
// typed arrays in Node's main realm, and onnxruntime-common checks them with `instanceof` against
// the test realm's constructors, which fails under jest's vm sandbox. Sharing the main realm's
// typed-array constructors with the sandbox makes both sides agree.
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

const SHARED = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer', 'SharedArrayBuffer',
];

export default class OrtEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const sandbox = this.global as unknown as Record<string, unknown>;
    const host = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) sandbox[name] = host[name];
  }
}
