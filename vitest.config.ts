// vitest.config.ts — test runner settings: tests sit beside the code, plus end-to-end tests under test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'lab/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end tests spawn the CLI against the lab; on a loaded 2-core CI machine one such call can take 30 s+.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two workers on the 2-core CI machine (vitest's default is cores - 1, one): end-to-end files spend most of their
    // time waiting on a spawned CLI, a browser or a timer, so two files at once fill the second core.
    maxWorkers: 2,
  },
});
