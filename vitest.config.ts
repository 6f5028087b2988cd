import { defineConfig } from 'vitest/config'
import { SpreadSequencer } from './test/support/spread-sequencer.js'

// One project per kind of test, so each can run alone (`npm run test:<name>`); `npm test` runs all.
export default defineConfig({
  test: {
    // Forks, not threads: better-sqlite3 and bufferutil are native modules.
    pool: 'forks',
    // Vitest's default on a 2-core machine is one worker, yet most files spend much of their time
    // waiting on sockets, child processes and browsers. Two at once, browser files spread among the
    // others (see the sequencer), on 2 shared cores: three starved the browser and process tests
    // into timeouts when the machine was busy. VITEST_MAX_WORKERS=N overrides it on bigger machines.
    maxWorkers: 2,
    sequence: { sequencer: SpreadSequencer },
    // Builds dist/ and web/dist/ when stale: spawned servers and the browser tests use them.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: !process.env['CI'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'web/src/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'contract', include: ['test/contract/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'server',
          isolate: false,
          include: [
            'test/server/**/*.test.ts',
            'test/upstream/**/*.test.ts',
            'examples/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // One Chromium per worker process, shared by the files it runs (test/browser/support.ts).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'scale', include: ['test/scale/**/*.test.ts'], isolate: false },
      },
    ],
  },
})
