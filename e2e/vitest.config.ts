import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Browser tests: each file starts the real server and drives Debian's Chromium. Files run one
 * after another (a 2-core machine runs a server and a browser per file already).
 */
export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '..'),
    include: ['e2e/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**'],
    env: { TZ: 'UTC' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
