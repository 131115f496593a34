import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Store operations keep their tests beside them (src/store/**/x.test.ts next to x.ts).
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // One PostgreSQL server for the run (an embedded one, or TEST_DATABASE_URL); each file opens a
    // database of its own on it, so files may run in parallel; two workers match this project's
    // 2-core machines.
    globalSetup: ['./test/support/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
