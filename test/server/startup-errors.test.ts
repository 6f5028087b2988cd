// Misconfigured storage stops start-up with one line that names the setting to fix (issue #15),
// not a stack trace blaming "storage … retry with the same cid".
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, freshDataDir, spawnServer } from '../support/start-server.js'

async function startFailure(env: Record<string, string>): Promise<string> {
  const port = String(await freePort())
  const error: unknown = await spawnServer({ PORT: port, DATA_DIR: freshDataDir(), ...env }).then(
    () => new Error('the server started'),
    (e: unknown) => e,
  )
  const output = error instanceof Error ? error.message : String(error)
  expect(output).toMatch(/exited early \(1\)/)
  expect(output).not.toMatch(/^\s+at /m)
  expect(output).not.toMatch(/same cid/)
  const lines = output.split('\n').filter((line) => line.startsWith('eddy: cannot start: '))
  expect(lines).toHaveLength(1)
  return lines[0] ?? ''
}

describe('start-up errors', () => {
  it('a DATA_DIR that cannot be created names DATA_DIR', async () => {
    const file = join(freshDataDir(), 'not-a-dir')
    writeFileSync(file, '')
    const line = await startFailure({ DATA_DIR: join(file, 'data') })
    expect(line).toMatch(/cannot use DATA_DIR \(ENOTDIR.*set DATA_DIR to a directory/)
  })

  it('a DATA_DIR where the database cannot be written names DATA_DIR', async () => {
    // As root every directory is writable, so use one the kernel refuses files in.
    const line = await startFailure({ DATA_DIR: '/proc' })
    expect(line).toMatch(/cannot (open|write) \/proc\/eddy\.sqlite .*set DATA_DIR/)
  })

  it('an unreachable DATABASE_URL names DATABASE_URL and hides the password', async () => {
    const line = await startFailure({ DATABASE_URL: 'postgres://eddy:hunter2@127.0.0.1:1/eddy' })
    expect(line).toMatch(/cannot use PostgreSQL at .*ECONNREFUSED.*check DATABASE_URL/)
    expect(line).not.toContain('hunter2')
  })
})
