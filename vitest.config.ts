import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start servers on free ports and use their own Redis key prefixes, so files may run in parallel;
    // two forks keep the 2-core machine responsive.
    pool: 'forks',
    maxWorkers: 2,
  },
});
