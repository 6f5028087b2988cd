/**
 * Starts one server under test as its own child process (so /proc/<pid> measures it alone), with
 * the open-file soft limit raised to the hard one, on a free loopback port; waits for /healthz.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerKind } from '../load/clients/protocol.js'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HOST = '127.0.0.1'

export interface ServerUnderTest {
  readonly kind: ServerKind
  readonly pid: number
  readonly port: number
  /** ws://127.0.0.1:PORT */
  readonly wsUrl: string
  /** http://127.0.0.1:PORT */
  readonly httpUrl: string
  /** Tail of the server's stdout+stderr, for error reports. */
  output(): string
  stop(): Promise<void>
}

/** Servers still running: killed if the bench itself dies (Ctrl-C, a crash) so none is orphaned. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, HOST, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

export interface LaunchOptions {
  readonly kind: ServerKind
  /** Node arguments (flags then the script). */
  readonly nodeArgs: readonly string[]
  readonly env?: Record<string, string>
  readonly readyTimeoutMs?: number
  /** Removed after the server stops. */
  readonly tmpDir?: string
}

export async function launch(options: LaunchOptions): Promise<ServerUnderTest> {
  const port = await freePort()
  // `exec` keeps the pid: /proc/<pid> is node itself, not bash.
  const child: ChildProcess = spawn(
    'bash',
    ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, ...options.nodeArgs],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, HOST, PORT: String(port), NODE_ENV: 'production', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  running.add(child)
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true
      running.delete(child)
      resolve()
    }),
  )

  const server: ServerUnderTest = {
    kind: options.kind,
    pid: child.pid ?? 0,
    port,
    wsUrl: `ws://${HOST}:${port}`,
    httpUrl: `http://${HOST}:${port}`,
    output: () => tail,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM')
        const killed = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exit
        clearTimeout(killed)
      }
      if (options.tmpDir) rmSync(options.tmpDir, { recursive: true, force: true })
    },
  }

  const deadline = performance.now() + (options.readyTimeoutMs ?? 30_000)
  for (;;) {
    if (exited) throw new Error(`${options.kind} exited before ready:\n${tail}`)
    try {
      const res = await fetch(`${server.httpUrl}/healthz`)
      await res.arrayBuffer()
      if (res.status === 200) return server
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await server.stop()
      throw new Error(`${options.kind} not ready in time:\n${tail}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'eddy-bench-'))
}

export function launchReference(kind: 'bare' | 'socketio'): Promise<ServerUnderTest> {
  const script = kind === 'bare' ? 'bench/servers/bare-ws.ts' : 'bench/servers/socketio-chat.ts'
  return launch({ kind, nodeArgs: ['--import', 'tsx', script] })
}
