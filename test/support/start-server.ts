/** Starts real Eddy servers for tests: in-process on port 0, or as a child process for restarts. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { onTestFinished } from 'vitest'
import { loadConfig } from '../../src/config.js'
import type { Clock } from '../../src/domain/ports.js'
import { Argon2Hasher } from '../../src/security/argon2-hasher.js'
import { startServer as startEddy, type EddyServer } from '../../src/server.js'
import { PG_URL } from '../contract/store-factories.js'

export type ServerEnv = Record<string, string>

export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-test-'))
  return dir
}

/** Settings for tests: quiet logs, generous throttles unless a test sets its own. */
export const TEST_ENV: ServerEnv = {
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'silent',
  REGISTRATIONS_PER_HOUR: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_USER_PER_MINUTE: '100000',
  ROOM_CREATIONS_PER_HOUR: '100000',
  MAX_ROOMS_PER_USER: '100000',
}

/**
 * Real Argon2id at a fraction of the production cost (which src/security/argon2-hasher.test.ts
 * checks): hundreds of sign-ups per run would otherwise spend most of their time hashing.
 */
export const TEST_HASHER = new Argon2Hasher({ memoryCost: 256, timeCost: 1 })

export interface TestServer extends EddyServer {
  readonly dataDir: string
  readonly wsUrl: string
}

/** In-process server; closed and its data removed when the calling test (or suite) finishes. */
export async function startServer(
  env: ServerEnv = {},
  options: { teardown?: boolean; clock?: Clock } = {},
): Promise<TestServer> {
  const dataDir = env['DATA_DIR'] ?? freshDataDir()
  const server = await startEddy(loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, ...env }), {
    hasher: TEST_HASHER,
    ...(options.clock ? { clock: options.clock } : {}),
  })
  const testServer: TestServer = {
    ...server,
    dataDir,
    wsUrl: server.url.replace(/^http/, 'ws') + '/chat',
  }
  if (options.teardown !== false) {
    onTestFinished(async () => {
      await server.close()
      if (!env['DATA_DIR']) rmSync(dataDir, { recursive: true, force: true })
    })
  }
  return testServer
}

/** In-process server on its own PostgreSQL schema, dropped when the calling test finishes. */
export async function startServerOnPostgres(env: ServerEnv = {}): Promise<TestServer> {
  const schema = `eddy_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const server = await startServer(
    { DATABASE_URL: PG_URL, PG_SCHEMA: schema, PG_POOL_MAX: '4', ...env },
    { teardown: false },
  )
  onTestFinished(async () => {
    await server.close()
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  })
  return server
}

export interface ChildServer {
  readonly url: string
  readonly wsUrl: string
  readonly port: number
  readonly process: ChildProcess
  readonly output: () => string
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

const ROOT = new URL('../../', import.meta.url).pathname

/**
 * A real `node dist/main.js` process, as `npm start` runs it, on a fixed port, for restart and
 * signal tests (the tests' global setup rebuilt dist/ if the sources were newer).
 */
export async function spawnServer(
  env: ServerEnv & { PORT: string; DATA_DIR: string },
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, ...TEST_ENV, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (output.includes('eddy is listening')) resolve()
    }
    child.stdout.on('data', check)
    child.once('exit', (code) => reject(new Error(`server exited early (${code}):\n${output}`)))
  })
  const url = `http://127.0.0.1:${env.PORT}`
  const server: ChildServer = {
    url,
    wsUrl: `ws://127.0.0.1:${env.PORT}/chat`,
    port: Number(env.PORT),
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      return exited
    },
  }
  onTestFinished(async () => {
    await server.stop('SIGKILL')
  })
  return server
}

/** A port that is free right now (bound then released), for servers that must keep their port. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
