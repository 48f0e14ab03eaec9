import { defineConfig } from 'vitest/config';

// Two cores on the CI machine: run test files in parallel, but bounded, in child processes
// (forks) so that native modules (sqlite3) and servers are isolated per file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
