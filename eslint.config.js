// Type-aware linting: a long-lived async stream server must not float promises or
// pass async callbacks where a sync one is expected.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Keep transport libraries in their rooms (see DESIGN.md, module map).
    files: ['src/**/*.ts'],
    // src/telemetry/tracing/exporter.ts: the OTLP/gRPC span exporter takes its metadata as a grpc-js Metadata.
    ignores: ['src/extproc/**', 'src/admin/**', 'src/dev/**', 'src/cli/**', 'src/telemetry/tracing/exporter.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: '@grpc/grpc-js', message: 'gRPC belongs in src/extproc/ and src/admin/.' },
      ] }],
    },
  },
  {
    files: ['test/**/*.ts', 'perf/**/*.ts'],
    rules: {
      // Tests build deliberately malformed documents; `any` is the honest type there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
