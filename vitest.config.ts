import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    // Property suites are CPU-bound; two cores here, so keep the pool small.
    poolOptions: { threads: { maxThreads: 2 }, forks: { maxForks: 2 } },
  },
});
