import { defineConfig } from 'vitest/config';

// Two cores: files run two at a time; database tests build their own databases, so they don't collide.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      // expect.poll waits for something to happen, not for it to be fast: its 1 s default failed on a busy machine.
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 120_000, expect: { poll: { timeout: 15_000 } } } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false, expect: { poll: { timeout: 15_000 } } } },
    ],
  },
});
