/**
 * Eddy under test: `node dist/main.js` on a fresh data directory with RATE_LIMITS=off, plus
 * signed-in users (Argon2 makes each registration ~25 ms, so a few hundred users are registered
 * in parallel batches and connections share them: RATE_LIMITS=off lifts the per-user cap).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freshDataDir, launch, REPO_ROOT, type ServerUnderTest } from './launch.js'

/** What `node` runs for Eddy; `--eddy-entry` (or BENCH_EDDY_ENTRY) points at another build. */
export function eddyEntry(): string {
  return process.env['BENCH_EDDY_ENTRY'] ?? join(REPO_ROOT, 'dist/main.js')
}

export interface EddyUnderTest extends ServerUnderTest {
  readonly tokens: readonly string[]
}

export function eddyAvailable(): boolean {
  return existsSync(eddyEntry())
}

export async function launchEddy(options: {
  users: number
  rooms: readonly string[]
  env?: Record<string, string>
  nodeArgs?: readonly string[]
}): Promise<EddyUnderTest> {
  const dataDir = freshDataDir()
  const server = await launch({
    kind: 'eddy',
    nodeArgs: [...(options.nodeArgs ?? []), eddyEntry()],
    env: { DATA_DIR: dataDir, RATE_LIMITS: 'off', LOG_LEVEL: 'warn', ...options.env },
    tmpDir: dataDir,
  })
  try {
    const tokens = await registerUsers(server.httpUrl, options.users)
    for (const room of options.rooms) await createRoom(server.httpUrl, tokens[0]!, room)
    return { ...server, tokens }
  } catch (error) {
    await server.stop()
    throw error
  }
}

async function postJson(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text }
}

/** Registers bench_<first>… bench_<first + count - 1> (8 at a time) and returns their tokens. */
export async function registerUsers(httpUrl: string, count: number, first = 0): Promise<string[]> {
  const tokens = new Array<string>(count)
  let next = 0
  const lane = async () => {
    while (next < count) {
      const i = next++
      const { status, text } = await postJson(`${httpUrl}/api/register`, {
        username: `bench_${first + i}`,
        password: 'bench-password-123',
      })
      if (status !== 201) throw new Error(`register bench_${first + i}: HTTP ${status} ${text}`)
      tokens[i] = (JSON.parse(text) as { token: string }).token
    }
  }
  await Promise.all(Array.from({ length: 8 }, lane))
  return tokens
}

export async function createRoom(httpUrl: string, token: string, name: string): Promise<void> {
  const { status, text } = await postJson(`${httpUrl}/api/rooms`, { name }, token)
  if (status !== 201 && status !== 409)
    throw new Error(`create room ${name}: HTTP ${status} ${text}`)
}
