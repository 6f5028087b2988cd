/** The BlobStore contract (src/domain/blob-store.ts), run unchanged against every adapter, with no mocks. */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BlobStore } from '../../src/domain/blob-store.js'
import { isChatError } from '../../src/domain/errors.js'

export interface BlobHandle {
  readonly blobs: BlobStore
  /** Shared engines: another instance on the same storage, as another node would open it. */
  readonly another?: () => Promise<BlobStore>
  /** Leaves what a put in a killed process would have left, as if begun `ageMs` ago. */
  readonly leaveCrashLeftover: (ageMs: number) => Promise<void>
  /** How many partial blobs (temp files, unfinished rows) the storage holds now. */
  readonly partials: () => Promise<number>
  /** Engines behind a network: an instance whose engine cannot be reached; cleanup closes it. */
  readonly unreachable?: () => Promise<BlobStore>
  readonly cleanup: () => Promise<void>
}

export type NewBlobStore = () => Promise<BlobHandle>

/** Yields `bytes` in pieces of `piece` bytes, then throws `failWith` when given. */
async function* pieces(bytes: Buffer, piece: number, failWith?: Error): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += piece) {
    await Promise.resolve()
    yield bytes.subarray(at, at + piece)
  }
  if (failWith) throw failWith
}

async function readAll(source: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (source === undefined) return undefined
  const parts: Buffer[] = []
  for await (const chunk of source) parts.push(Buffer.from(chunk))
  return Buffer.concat(parts)
}

/** A source that yields `first`, then waits until `finish()` to yield `rest`. */
function held(first: Buffer, rest: Buffer) {
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  let started: () => void = () => undefined
  const begun = new Promise<void>((resolve) => (started = resolve))
  async function* source(): AsyncGenerator<Uint8Array> {
    yield first
    started()
    await gate
    yield rest
  }
  return { source: source(), begun, finish: release }
}

export function runBlobStoreContract(name: string, newBlobStore: NewBlobStore): void {
  const only = process.env['BLOBS']?.split(',').map((s) => s.trim())
  describe.skipIf(only !== undefined && !only.includes(name))(`BlobStore contract: ${name}`, () => {
    let handle: BlobHandle
    let blobs: BlobStore
    beforeEach(async () => {
      handle = await newBlobStore()
      blobs = handle.blobs
    })
    afterEach(async () => {
      await handle.cleanup()
    })

    it('stores what it is given, in many pieces, and reads it back byte for byte', async () => {
      const id = randomUUID()
      const bytes = randomBytes(700 * 1024 + 7)
      expect(await blobs.put(id, pieces(bytes, 10_000))).toBe(bytes.length)
      expect((await readAll(await blobs.read(id)))?.equals(bytes)).toBe(true)
      expect(await handle.partials()).toBe(0)
    })

    it('stores an empty blob', async () => {
      const id = randomUUID()
      expect(await blobs.put(id, pieces(Buffer.alloc(0), 1))).toBe(0)
      expect((await readAll(await blobs.read(id)))?.length).toBe(0)
    })

    it('reads byte ranges, across the pieces it was stored in', async () => {
      const id = randomUUID()
      const bytes = randomBytes(600 * 1024)
      await blobs.put(id, pieces(bytes, 65_536))
      const last = bytes.length - 1
      for (const [start, end] of [
        [0, 0],
        [0, last],
        [last, last],
        [65_535, 65_536],
        [100, 300_000],
        [262_143, 262_144],
        [524_288, last],
      ] as const) {
        const got = await readAll(await blobs.read(id, { start, end }))
        expect(got?.equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true)
      }
    })

    it('knows no blob it was not given, and refuses ids that are not ids', async () => {
      expect(await blobs.read(randomUUID())).toBeUndefined()
      await expect(blobs.put('../escape', pieces(Buffer.from('x'), 1))).rejects.toThrow()
      await expect(blobs.read('../../etc/passwd')).rejects.toThrow()
    })

    it('a source that fails part-way leaves nothing: the error comes back, the blob was never there', async () => {
      const id = randomUUID()
      const tooLarge = new Error('too large')
      await expect(
        blobs.put(id, pieces(randomBytes(400 * 1024), 32 * 1024, tooLarge)),
      ).rejects.toBe(tooLarge)
      expect(await blobs.read(id)).toBeUndefined()
      expect(await handle.partials()).toBe(0)
    })

    it('a blob is invisible until its put ends, and a sweep leaves a running put alone', async () => {
      const id = randomUUID()
      const first = randomBytes(300 * 1024)
      const rest = randomBytes(1000)
      const upload = held(first, rest)
      const putting = blobs.put(id, upload.source)
      await upload.begun
      expect(await blobs.read(id)).toBeUndefined()
      await blobs.sweep(Date.now() + 60_000)
      upload.finish()
      expect(await putting).toBe(first.length + rest.length)
      expect((await readAll(await blobs.read(id)))?.equals(Buffer.concat([first, rest]))).toBe(true)
    })

    it('a sweep removes what crashed puts left before its cut-off, and nothing younger', async () => {
      await handle.leaveCrashLeftover(2 * 60 * 60 * 1000)
      await handle.leaveCrashLeftover(10 * 1000)
      const kept = randomUUID()
      await blobs.put(kept, pieces(randomBytes(1000), 100))
      const before = await handle.partials()
      const removed = await blobs.sweep(Date.now() - 60 * 60 * 1000)
      expect(await handle.partials()).toBe(before - removed)
      // The memory adapter never has leftovers; the others had two and lose the old one.
      if (before > 0) expect([before, removed]).toEqual([2, 1])
      expect((await readAll(await blobs.read(kept)))?.length).toBe(1000)
    })

    it('deletes a blob; deleting one that is not there is fine', async () => {
      const id = randomUUID()
      await blobs.put(id, pieces(randomBytes(100_000), 10_000))
      await blobs.delete(id)
      expect(await blobs.read(id)).toBeUndefined()
      await blobs.delete(id)
      await blobs.delete(randomUUID())
    })

    it('every instance on the same storage reads what another stored (every node serves every file)', async (ctx) => {
      if (!handle.another) return ctx.skip()
      const other = await handle.another()
      const id = randomUUID()
      const bytes = randomBytes(300 * 1024)
      await blobs.put(id, pieces(bytes, 50_000))
      expect((await readAll(await other.read(id)))?.equals(bytes)).toBe(true)
      await other.delete(id)
      expect(await blobs.read(id)).toBeUndefined()
    })

    it('an engine it cannot reach fails as store_unavailable, promptly, keeping nothing', async (ctx) => {
      if (!handle.unreachable) return ctx.skip()
      const down = await handle.unreachable()
      const codeOf = (promise: Promise<unknown>) =>
        promise.then(
          () => 'resolved',
          (e: unknown) => (isChatError(e) ? e.code : String(e)),
        )
      expect(await codeOf(down.put(randomUUID(), pieces(randomBytes(10), 5)))).toBe(
        'store_unavailable',
      )
      expect(await codeOf(down.read(randomUUID()))).toBe('store_unavailable')
    })
  })
}
