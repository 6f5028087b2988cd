// Files on the in-memory adapters with a hand-driven clock: the limit while streaming, what is kept
// of refused uploads, who may open a file, and the janitor (orphans, doomed files, overlapping runs).
import { describe, expect, it } from 'vitest'
import { createMemoryBlobStore } from '../blobs/memory-blob-store.js'
import { createMemoryBus } from '../bus/memory-bus.js'
import { createMemoryStore } from '../store/memory-store.js'
import { noServerAdmins } from './admins.js'
import type { BlobStore } from './blob-store.js'
import { isChatError } from './errors.js'
import { Files, type IncomingFile } from './files.js'
import { Membership } from './membership.js'
import type { Store } from './ports.js'

const ann = { id: 'u-ann', username: 'ann' }
const bob = { id: 'u-bob', username: 'bob' }
const HOUR_MS = 60 * 60 * 1000

async function setup(maxBytes = 1000, wrap: (store: Store) => Store = (store) => store) {
  const clock = { t: 1_000_000, now: () => clock.t }
  const memory = createMemoryStore()
  await memory.migrate()
  const store = wrap(memory)
  const inner = createMemoryBlobStore()
  const deleted: string[] = []
  const blobs: BlobStore = {
    ...inner,
    delete: async (id) => {
      deleted.push(id)
      await inner.delete(id)
    },
  }
  const bus = createMemoryBus({
    onHandlerError: (error) => {
      throw error
    },
  })
  const membership = new Membership({ store, bus, clock, admins: noServerAdmins })
  const files = new Files({
    store,
    blobs,
    membership,
    clock,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    limits: { maxBytes, unattachedTtlMs: 24 * HOUR_MS },
  })
  return { clock, store, blobs, deleted, files }
}

/** A file of `size` bytes arriving in pieces; `read` counts the bytes the source gave out. */
function incoming(size: number, filename = 'a.txt', piece = 100) {
  const counter = { read: 0 }
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < size; at += piece) {
      await Promise.resolve()
      const bytes = Buffer.alloc(Math.min(piece, size - at), 0x61)
      counter.read += bytes.length
      yield bytes
    }
  }
  const file: IncomingFile = { filename, source: source() }
  return { file, counter }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return isChatError(error) ? error.code : undefined
}

describe('Files', () => {
  it('stops reading at the first byte past the limit and keeps nothing', async () => {
    const { files, store, deleted } = await setup(1000)
    const { file, counter } = incoming(100_000)
    expect(await codeOf(files.upload(ann, 'lobby', () => Promise.resolve(file)))).toBe(
      'file_too_large',
    )
    expect(counter.read).toBeLessThanOrEqual(1100)
    expect(await store.doomedFiles(10)).toEqual([])
    expect(deleted).toEqual([])
  })

  it('checks the room before it reads the file: an unknown room never asks for the body', async () => {
    const { files } = await setup()
    let asked = false
    const next = () => {
      asked = true
      return Promise.resolve(incoming(10).file)
    }
    expect(await codeOf(files.upload(ann, 'nowhere', next))).toBe('room_not_found')
    expect(asked).toBe(false)
    expect(await codeOf(files.upload(ann, 'lobby', () => Promise.resolve(undefined)))).toBe(
      'no_file',
    )
  })

  it('a record the store refuses takes its blob with it', async () => {
    const refusing = (store: Store): Store => ({
      ...store,
      createFile: () => Promise.reject(new Error('store down')),
    })
    const { files, blobs, deleted } = await setup(1000, refusing)
    await expect(
      files.upload(ann, 'lobby', () => Promise.resolve(incoming(10).file)),
    ).rejects.toThrow('store down')
    expect(deleted).toHaveLength(1)
    expect(await blobs.read(deleted[0]!)).toBeUndefined()
  })

  it('an unattached upload opens for its uploader only; an attached one for every reader', async () => {
    const { files, store } = await setup()
    const view = await files.upload(ann, 'lobby', () => Promise.resolve(incoming(10, 'n.txt').file))
    expect(view).toMatchObject({ name: 'n.txt', size: 10, type: 'text/plain' })
    expect((await files.open(ann, 'lobby', view.id)).file.id).toBe(view.id)
    expect(await codeOf(files.open(bob, 'lobby', view.id))).toBe('file_not_found')
    await store.append({
      id: 'm1',
      room: 'lobby',
      userId: ann.id,
      username: ann.username,
      text: '',
      cid: 'c1',
      ts: 1,
      attachments: [view.id],
    })
    const opened = await files.open(bob, 'lobby', view.id)
    const parts: Buffer[] = []
    for await (const chunk of await opened.read({ start: 2, end: 4 }))
      parts.push(Buffer.from(chunk))
    expect(Buffer.concat(parts).toString()).toBe('aaa')
  })

  it('the janitor deletes uploads never attached after their time, then their records', async () => {
    const { files, store, clock, deleted } = await setup()
    const old = await files.upload(ann, 'lobby', () => Promise.resolve(incoming(10).file))
    clock.t += 23 * HOUR_MS
    const young = await files.upload(ann, 'lobby', () => Promise.resolve(incoming(10).file))
    clock.t += 2 * HOUR_MS
    await files.collect()
    expect(deleted).toEqual([old.id])
    expect(await store.doomedFiles(10)).toEqual([])
    expect(await store.findFile(young.id)).toMatchObject({ id: young.id })
  })

  it('a collect asked for during a run gets a run of its own: what was doomed before it is gone', async () => {
    // The first run is held just after it listed the doomed files (none yet).
    let listed: () => void = () => undefined
    const hasListed = new Promise<void>((resolve) => (listed = resolve))
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    let held = false
    const holding = (store: Store): Store => ({
      ...store,
      doomedFiles: async (limit) => {
        const ids = await store.doomedFiles(limit)
        if (!held) {
          held = true
          listed()
          await released
        }
        return ids
      },
    })
    const { files, store, deleted } = await setup(1000, holding)
    await store.createRoom({
      name: 'gone',
      createdAt: 1,
      createdBy: 'ann',
      kind: 'public',
      topic: null,
      members: [],
    })
    const file = await files.upload(ann, 'gone', () => Promise.resolve(incoming(10).file))
    const running = files.collect()
    await hasListed
    await store.deleteRoom('gone')
    const asked = files.collect()
    release()
    await Promise.all([running, asked])
    expect(deleted).toEqual([file.id])
    expect(await store.doomedFiles(10)).toEqual([])
  })
})
