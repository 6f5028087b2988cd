/** The Store contract's files part: file records, attachments claimed by appends, and doomed files. */
import { expect, it } from 'vitest'
import { isChatError } from '../../src/domain/errors.js'
import type { AppendInput, FileRecord, Store } from '../../src/domain/ports.js'
import type { StoreHandle } from './store.contract.js'

let counter = 0
const ann = { id: 'u-ann', username: 'ann' }
const bob = { id: 'u-bob', username: 'bob' }

/** A fresh UUID-shaped id, as the domain makes them. */
function fileId(): string {
  counter++
  const hex = counter.toString(16).padStart(12, '0')
  return `${Math.random().toString(16).slice(2, 10).padEnd(8, '0')}-0000-4000-8000-${hex}`
}

function file(room: string, uploader: { id: string }, extra: Partial<FileRecord> = {}): FileRecord {
  return {
    id: fileId(),
    room,
    uploaderId: uploader.id,
    name: `f${counter}.png`,
    size: 1234,
    type: 'image/png',
    width: 640,
    height: 480,
    createdAt: 1_000 + counter,
    ...extra,
  }
}

function send(
  room: string,
  user: { id: string; username: string },
  attachments?: string[],
  cid = `c${++counter}`,
): AppendInput {
  return {
    id: `m${++counter}`,
    room,
    userId: user.id,
    username: user.username,
    text: `with files ${counter}`,
    cid,
    ts: 5_000 + counter,
    ...(attachments === undefined ? {} : { attachments }),
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error === undefined) return undefined
  return isChatError(error) ? error.code : error instanceof Error ? error.message : 'non-error'
}

export function fileCases(current: () => { store: Store; handle: StoreHandle }): void {
  const store = (): Store => current().store

  it('records a file and finds it, unattached, with its dimensions (null for non-images)', async () => {
    const image = file('alpha', ann)
    const doc = file('alpha', ann, { type: 'application/pdf', width: null, height: null })
    await store().createFile(image)
    await store().createFile(doc)
    expect(await store().findFile(image.id)).toEqual({ ...image, messageSeq: null })
    expect(await store().findFile(doc.id)).toEqual({ ...doc, messageSeq: null })
    expect(await store().findFile(fileId())).toBeUndefined()
  })

  it('refuses a file for an unknown room', async () => {
    expect(await codeOf(store().createFile(file('nowhere', ann)))).toBe('room_not_found')
  })

  it('an append claims its files: the message, the timeline and the log carry them in order', async () => {
    const a = file('alpha', ann)
    const b = file('alpha', ann, { type: 'text/plain', width: null, height: null, name: 'b.txt' })
    await store().createFile(a)
    await store().createFile(b)
    const { message } = await store().append(send('alpha', ann, [b.id, a.id]))
    const views = [
      {
        id: b.id,
        name: 'b.txt',
        size: 1234,
        type: 'text/plain',
        url: `/api/rooms/alpha/files/${b.id}`,
      },
      {
        id: a.id,
        name: a.name,
        size: 1234,
        type: 'image/png',
        width: 640,
        height: 480,
        url: `/api/rooms/alpha/files/${a.id}`,
      },
    ]
    expect(message.attachments).toEqual(views)
    expect((await store().messagesBefore('alpha', undefined, 1))[0]?.attachments).toEqual(views)
    const [logged] = await store().messagesAfter('alpha', message.seq - 1, 1)
    expect(logged?.type === 'message' ? logged.attachments : undefined).toEqual(views)
    expect((await store().findFile(a.id))?.messageSeq).toBe(message.seq)
    // A message without files carries no attachments field at all.
    const plain = await store().append(send('alpha', ann))
    expect(plain.message.attachments).toBeUndefined()
  })

  it('refuses, alone, an append naming a file of another room, another user, already attached, unknown or twice', async () => {
    const other = file('beta', ann)
    const bobs = file('alpha', bob)
    const taken = file('alpha', ann)
    const fine = file('alpha', ann)
    for (const f of [other, bobs, taken, fine]) await store().createFile(f)
    await store().append(send('alpha', ann, [taken.id]))
    const before = await store().lastSeq('alpha')
    const results = await Promise.all([
      codeOf(store().append(send('alpha', ann, [other.id]))),
      codeOf(store().append(send('alpha', ann, [bobs.id]))),
      codeOf(store().append(send('alpha', ann, [taken.id]))),
      codeOf(store().append(send('alpha', ann, [fileId()]))),
      codeOf(store().append(send('alpha', ann, [fine.id, fine.id]))),
      codeOf(store().append(send('alpha', ann, [fine.id, other.id]))),
      codeOf(store().append(send('alpha', bob, []))),
    ])
    expect(results).toEqual([
      'invalid_attachment',
      'invalid_attachment',
      'invalid_attachment',
      'invalid_attachment',
      'invalid_attachment',
      'invalid_attachment',
      undefined,
    ])
    // Only the plain message was stored, and no refused append claimed anything.
    expect(await store().lastSeq('alpha')).toBe(before + 1)
    for (const f of [other, bobs, fine])
      expect((await store().findFile(f.id))?.messageSeq).toBe(null)
  })

  it('two appends racing for one file: exactly one gets it', async () => {
    const contested = file('alpha', ann)
    await store().createFile(contested)
    const instances = [store()]
    const { handle } = current()
    if (handle.concurrentInstances && handle.reopen) {
      // Like two nodes: a second instance on the same engine, its appends in its own batches.
      const second = await handle.reopen()
      await second.migrate()
      instances.push(second)
    }
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        codeOf(instances[i % instances.length]!.append(send('alpha', ann, [contested.id]))),
      ),
    )
    expect(results.filter((r) => r === undefined)).toHaveLength(1)
    expect(results.filter((r) => r === 'invalid_attachment')).toHaveLength(5)
  })

  it('a repeated cid answers with the first copy and its files, not with an error', async () => {
    const f = file('alpha', ann)
    await store().createFile(f)
    const first = await store().append(send('alpha', ann, [f.id], 'same-cid'))
    const again = await store().append(send('alpha', ann, [f.id], 'same-cid'))
    expect(again.created).toBe(false)
    expect(again.message).toEqual(first.message)
    expect(again.message.attachments?.map((a) => a.id)).toEqual([f.id])
  })

  it("a room's deletion dooms its files: never found again, listed until purged", async () => {
    const attached = file('beta', ann)
    const loose = file('beta', ann)
    const elsewhere = file('alpha', ann)
    for (const f of [attached, loose, elsewhere]) await store().createFile(f)
    await store().append(send('beta', ann, [attached.id]))
    expect(await store().doomedFiles(10)).toEqual([])
    expect(await store().deleteRoom('beta')).toBe(true)
    expect(await store().findFile(attached.id)).toBeUndefined()
    expect(await store().findFile(loose.id)).toBeUndefined()
    expect((await store().doomedFiles(10)).sort()).toEqual([attached.id, loose.id].sort())
    expect(await store().doomedFiles(1)).toHaveLength(1)
    await store().purgeFiles([attached.id, loose.id, elsewhere.id])
    expect(await store().doomedFiles(10)).toEqual([])
    // Purging touches doomed records only.
    expect(await store().findFile(elsewhere.id)).toMatchObject({ id: elsewhere.id })
  })

  it('dooms files never attached that are older than the cut-off, and they can no longer be attached', async () => {
    const old = file('alpha', ann, { createdAt: 100 })
    const oldAttached = file('alpha', ann, { createdAt: 100 })
    const recent = file('alpha', ann, { createdAt: 900 })
    for (const f of [old, oldAttached, recent]) await store().createFile(f)
    await store().append(send('alpha', ann, [oldAttached.id]))
    expect(await store().doomUnattachedFiles(500)).toBe(1)
    expect(await store().findFile(old.id)).toBeUndefined()
    expect(await store().findFile(oldAttached.id)).toMatchObject({ id: oldAttached.id })
    expect(await store().findFile(recent.id)).toMatchObject({ id: recent.id })
    expect(await store().doomedFiles(10)).toEqual([old.id])
    expect(await codeOf(store().append(send('alpha', ann, [old.id])))).toBe('invalid_attachment')
  })

  it("deleting a message erases its attachments and dooms its files, in the delete's own transaction", async () => {
    const gone = file('alpha', ann)
    const kept = file('alpha', ann)
    for (const f of [gone, kept]) await store().createFile(f)
    const doomed = await store().append(send('alpha', ann, [gone.id]))
    const other = await store().append(send('alpha', ann, [kept.id]))
    const { event } = await store().changeMessage({
      id: `d${++counter}`,
      room: 'alpha',
      userId: ann.id,
      username: ann.username,
      cid: `del${counter}`,
      ts: 9_000 + counter,
      target: doomed.message.seq,
      change: { type: 'delete' },
    })
    expect(event.type).toBe('delete')
    expect(await store().findFile(gone.id)).toBeUndefined()
    expect(await store().doomedFiles(10)).toEqual([gone.id])
    const timeline = await store().messagesBefore('alpha', undefined, 10)
    const deleted = timeline.find((m) => m.seq === doomed.message.seq)
    expect(deleted).toMatchObject({ deleted: true, text: '' })
    expect(deleted?.attachments).toBeUndefined()
    const [logged] = await store().messagesAfter('alpha', doomed.message.seq - 1, 1)
    expect(logged?.type === 'message' ? logged.attachments : 'not a message').toBeUndefined()
    // The other message and its file are untouched.
    expect(timeline.find((m) => m.seq === other.message.seq)?.attachments?.[0]?.id).toBe(kept.id)
    expect(await store().findFile(kept.id)).toMatchObject({ messageSeq: other.message.seq })
  })
}
