import { defineConfig } from 'vitest/config'

// Forks, not threads: better-sqlite3 and bufferutil are native modules.
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
      'bench/**/*.test.ts',
      'web/src/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: !process.env['CI'],
    reporters: process.env['CI'] ? ['default'] : ['default'],
  },
})
