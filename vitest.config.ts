import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // integration and e2e tests spawn real processes (prometheus, the CLI, chromium); keep the pool small on 2 cores
    pool: 'forks',
    maxWorkers: 2,
  },
});
