// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in a deterministic sandbox: no Node built-ins, and activities only as types.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const workflowSafe = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not use Node built-ins (non-deterministic I/O).' })),
      patterns: [
        {
          group: ['**/activities', '**/activities/*', '!**/activities/contract'],
          allowTypeImports: true,
          message: 'Workflows import activity types only; call activities through proxyActivities.',
        },
        {
          group: ['**/adapters/*', '**/src/api/*', 'pino', 'fastify', '@temporalio/client', '@temporalio/worker'],
          message: 'Not workflow-safe.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.temporal/', 'var/', 'coverage/', 'test-artifacts/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts', 'src/temporal/ids.ts', 'src/temporal/searchAttributes.ts'],
    rules: workflowSafe,
  },
);
