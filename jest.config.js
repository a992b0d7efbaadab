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
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
