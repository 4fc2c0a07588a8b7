// Test tiers by suffix: *.spec.ts (pure, fast), *.int-spec.ts (real infrastructure),
// *.e2e-spec.ts (whole services over HTTP). The global setup starts Kafka and the
// Mongo-compatible server for the infrastructure tiers unless they are already given.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // Nest 12 and some of its dependencies ship ES modules only; compile them for Jest too.
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [],
  moduleNameMapper: { '^@parley/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.infra/'],
};

module.exports = {
  maxWorkers: 2,
  // A worker runs many suites, several of which start whole platforms in it: one whose heap has
  // grown past this after a suite is replaced, instead of slowing down and running out of memory.
  workerIdleMemoryLimit: '1536MB',
  // Infrastructure and browser tests wait for real brokers, servers and pages.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test,bench,scripts}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{apps,libs,test}/**/*.int-spec.ts',
        '<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts',
      ],
      slowTestThreshold: 30,
    },
  ],
};
