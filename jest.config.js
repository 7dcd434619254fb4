// Jest 30 + ts-jest in ESM mode (DESIGN §4): client-node 1.x is ESM-only, so the whole project is ESM.
// Two projects: `unit` (pure functions, snapshots; no cluster) and `integration` (a real etcd +
// kube-apiserver + kube-controller-manager, started once per run by the global setup).
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // image/build.sh stages package.json copies under .cache/image: not modules of this project.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.mjs',
      globalTeardown: '<rootDir>/test/integration/global-teardown.mjs',
    },
  ],
  // One control plane is shared by the integration files; two cores, so keep the worker count small.
  maxWorkers: 2,
  // Integration tests wait for controllers; a per-project testTimeout is not honoured by Jest 30.
  testTimeout: 60_000,
};
