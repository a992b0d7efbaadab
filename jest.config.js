// Jest runs the TypeScript sources as native ES modules (node --experimental-vm-modules),
// transformed by SWC. Type checking happens separately (`tsc --noEmit`) before the tests.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // node, plus the main realm's typed arrays: onnxruntime-node's binding creates them there and
  // onnxruntime-common checks them with instanceof (see the file).
  testEnvironment: '<rootDir>/test/helpers/ort-environment.ts',
};
// The routing, cache-affinity and protocol e2e suites run again with the local gateway sending
// request (and response) bodies the other ways Envoy can: STREAMED and FULL_DUPLEX_STREAMED
// (the integration project runs them BUFFERED, envoy/envoy.yaml's mode).
// request-id and identity-headers: the header edits of the request-headers phase must survive
// FULL_DUPLEX_STREAMED's held headers answer too.
const MODE_SUITES = ['routing', 'cache-affinity', 'protocols', 'request-id', 'identity-headers'].map((s) => `<rootDir>/test/e2e/${s}.test.ts`);
const inMode = (mode) => ({
  ...common,
  displayName: `e2e-${mode.toLowerCase()}`,
  testMatch: MODE_SUITES,
  setupFiles: [`<rootDir>/test/helpers/body-mode-${mode === 'STREAMED' ? 'streamed' : 'full-duplex'}.ts`],
});
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
    },
    inMode('STREAMED'),
    inMode('FULL_DUPLEX_STREAMED'),
  ],
};
