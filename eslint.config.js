// Lint gate: type-aware rules stay on (no-floating-promises catches a dropped await in a ws handler),
// and no-restricted-imports keeps the domain free of transports and engines (later blocks win,
// so the stricter domain block comes after the src-wide one).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

const engines = [
  'fastify',
  '@fastify/*',
  'ws',
  'ioredis',
  'kysely',
  'pg',
  'better-sqlite3',
  'undici',
  'pino',
]

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'web/dist', 'coverage', 'bench/results', 'data', '.tmp'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/upstream/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'undici',
              message: 'Outbound HTTP goes through src/upstream/http-client.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**', 'src/protocol/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...engines,
                '../transport/*',
                '../store/*',
                '../blobs/*',
                '../bus/*',
                '../upstream/*',
              ],
              message:
                'The domain and protocol know nothing of HTTP, WebSocket, SQL or Redis: depend on a port in domain/ports.ts instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Domain unit tests run on the in-memory adapters (no mocks), and on nothing else.
    files: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...engines,
                '../transport/*',
                '../upstream/*',
                '../store/*',
                '!../store/memory-store.js',
                '../bus/*',
                '!../bus/memory-bus.js',
                '../presence/*',
                '!../presence/memory-presence.js',
                '../rate-limit/*',
                '!../rate-limit/memory-rate-limiter.js',
                '../blobs/*',
                '!../blobs/memory-blob-store.js',
                '../redis/*',
              ],
              message:
                'Domain unit tests use only the in-memory adapters (store/memory-store, bus/memory-bus, presence/memory-presence, rate-limit/memory-rate-limiter).',
            },
          ],
        },
      ],
    },
  },
  {
    // Transports reach storage, fan-out, presence and limits only through the domain's services
    // (ChatService.subscribe is the one way to read a room's stream), never the adapters or engines.
    files: ['src/transport/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'undici',
              message: 'Outbound HTTP goes through src/upstream/http-client.ts only.',
            },
          ],
          patterns: [
            {
              group: [
                '**/store/*',
                '**/blobs/*',
                '**/bus/*',
                '**/presence/*',
                '**/rate-limit/*',
                '**/redis/*',
                '**/upstream/*',
                '**/engines.js',
                '**/config.js',
                '**/domain/room-feed.js',
                '**/domain/room-feeds.js',
                'ioredis',
                'kysely',
                'pg',
                'better-sqlite3',
              ],
              message:
                'Transports use the domain services and the shaped settings in transport/context.ts, never storage, the bus, their engines or the raw Config.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!protocol/index\\.js$)',
              message:
                'The web client shares only the wire protocol with the server: import src/protocol/index.js, nothing else from src/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: false, project: null },
    },
  },
)
