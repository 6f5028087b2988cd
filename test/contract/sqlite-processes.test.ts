/** Several processes on one SQLite file: migrations and seqs stay correct across processes. */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, expect, it } from 'vitest'
import { createSqliteStore } from '../../src/store/sqlite-store.js'

const run = promisify(execFile)
const WORKER = join(import.meta.dirname, 'sqlite-process-worker.ts')
let dir: string | undefined

afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

it('processes migrating and appending to one file at once get contiguous, distinct seqs', async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-procs-'))
  const file = join(dir, 'eddy.db')
  const perWorker = 300
  const outputs = await Promise.all(
    [1, 2, 3].map((worker) =>
      run(process.execPath, ['--import', 'tsx', WORKER, file, String(worker), String(perWorker)]),
    ),
  )
  const seqs = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[])
  expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 3 * perWorker }, (_, i) => i + 1))

  const store = await createSqliteStore({ file })
  await store.migrate()
  expect(await store.lastSeq('lobby')).toBe(3 * perWorker)
  expect((await store.listRooms()).map((r) => r.name)).toEqual(['lobby'])
  await store.close()
}, 60_000)
