import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // integration and e2e tests spawn real processes (prometheus, the CLI, chromium); keep the pool small on 2 cores
    pool: 'forks',
    maxWorkers: 2,
    // prints the robustness figures and fails the run if the Kubernetes stand-in saw a non-GET request
    globalSetup: ['./test/helpers/robustness-setup.ts'],
    // fast-check seeds: fixed in a normal run, QD_PROPERTY_SEED=random to explore
    setupFiles: ['./test/helpers/property-seed.ts'],
  },
});
