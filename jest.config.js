/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: {
    // Type-checking is `npm run typecheck`'s job; tests only transpile, which keeps them fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // ESM-only packages (typebox 1.x; content-disposition and cookie, under swagger-ui and light-my-request):
    // Node 20 requires them natively, jest's module system cannot, so they are transpiled to CommonJS.
    '/node_modules/(typebox|content-disposition|cookie)/.+\\.m?js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { isolatedModules: true, allowJs: true, module: 'commonjs', target: 'ES2022' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(typebox|content-disposition|cookie)/)'],
  setupFiles: ['<rootDir>/test/support/quietRuntime.ts'],
};

module.exports = {
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
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
