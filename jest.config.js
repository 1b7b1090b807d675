/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: {
    // Type-checking is `npm run typecheck`'s job; tests only transpile, which keeps them fast.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
    // `typebox` 1.x ships ESM only (.mjs); Node 20 requires it natively, jest's module system cannot.
    '/node_modules/typebox/.+\\.mjs$': [
      'ts-jest',
      { isolatedModules: true, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!typebox/)'],
  setupFiles: ['<rootDir>/test/support/quietRuntime.ts'],
};

module.exports = {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    // Pure code and route tests with a fake Temporal client: no server.
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/api/**/*.test.ts'] },
    // Workflow code on the time-skipping test server (one server per file).
    {
      ...base,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/bundleSetup.ts',
    },
    // Real dev server (visibility, updates, search attributes): started once per run.
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/devServerSetup.ts',
      globalTeardown: '<rootDir>/test/support/devServerTeardown.ts',
    },
  ],
};
