/** The Store contract (src/domain/ports.ts), run unchanged against every adapter, with no mocks. */
import { describe, expect, it, beforeEach, afterEach } from 'vitest'
import { isChatError } from '../../src/domain/errors.js'
import type { AppendInput, NewRoom, Store } from '../../src/domain/ports.js'
import { fileCases } from './store-files.contract.js'
import { membershipCases } from './store-membership.contract.js'
import { messageChangeCases } from './store-messages.contract.js'
import { searchCases } from './store-search.contract.js'

export interface StoreHandle {
  readonly store: Store
  readonly cleanup: () => Promise<void>
  /** Durable stores: opens the same data again (migrate not yet run); cleanup closes it. */
  readonly reopen?: () => Promise<Store>
  /** Shared engines: whether reopened instances may run concurrently in one process (like nodes). */
  readonly concurrentInstances?: boolean
  /** Engines behind a network: has the server cut every connection the store holds. */
  readonly dropConnections?: () => Promise<void>
  /** Engines behind a network: a store whose engine cannot be reached; cleanup closes it. */
  readonly unreachable?: () => Promise<Store>
}

/**
 * How a case needs its store opened. `production`: exactly as the server opens it (SQLite: with its
 * WAL checkpointer thread), for the cases about closing, reopening and durability. Otherwise an
 * adapter may leave out machinery the case does not exercise, to keep the suite fast.
 */
export interface NewStoreOptions {
  readonly production?: boolean
}

export type NewStore = (options?: NewStoreOptions) => Promise<StoreHandle>

let counter = 0
function input(room: string, userId: string, cid: string, text = `text ${cid}`): AppendInput {
  counter++
  return {
    id: `m${counter}-${Math.random().toString(36).slice(2)}`,
    room,
    userId,
    username: `name-${userId}`,
    text,
    cid,
    ts: 1_700_000_000_000 + counter,
  }
}

export function newRoom(room: {
  name: string
  createdAt: number
  createdBy: string | null
}): NewRoom {
  return { ...room, kind: 'public', topic: null, members: [] }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isChatError(error) ? error.code : error).toBe(code)
}

export function runStoreContract(name: string, newStore: NewStore): void {
  // STORES=sqlite,memory narrows a run to some adapters (kysely's DIALECTS habit).
  const only = process.env['STORES']?.split(',').map((s) => s.trim())
  describe.skipIf(only !== undefined && !only.includes(name))(`Store contract: ${name}`, () => {
    describe('on fresh data', () => freshDataCases(newStore))
    describe('on a migrated store', () => migratedCases(newStore))
    describe('on a migrated store opened as in production', () => durabilityCases(newStore))
  })
}

function freshDataCases(newStore: NewStore): void {
  let handle: StoreHandle
  beforeEach(async () => {
    handle = await newStore()
  })
  afterEach(async () => {
    await handle.cleanup()
  })

  it('migrates once when several instances start together', async (ctx) => {
    if (handle.reopen === undefined || handle.concurrentInstances !== true) ctx.skip()
    const others = await Promise.all([handle.reopen!(), handle.reopen!(), handle.reopen!()])
    await Promise.all([handle.store, ...others].map((s) => s.migrate()))
    const rooms = await Promise.all([handle.store, ...others].map((s) => s.listRooms()))
    for (const listed of rooms) expect(listed.map((r) => r.name)).toEqual(['lobby'])
  })

  it('rejects every call with store_unavailable when the engine is unreachable', async (ctx) => {
    if (handle.unreachable === undefined) ctx.skip()
    const down = await handle.unreachable!()
    await rejectsWith(down.migrate(), 'store_unavailable')
    await rejectsWith(down.ping(), 'store_unavailable')
    await rejectsWith(down.findRoom('lobby'), 'store_unavailable')
    await rejectsWith(down.append(input('lobby', 'u1', 'c')), 'store_unavailable')
  })

  it('rejects calls after close with store_unavailable', async () => {
    await handle.store.migrate()
    await handle.store.close()
    await rejectsWith(handle.store.ping(), 'store_unavailable')
    await rejectsWith(handle.store.findRoom('lobby'), 'store_unavailable')
    await rejectsWith(handle.store.append(input('lobby', 'u1', 'c')), 'store_unavailable')
  })
}

/** A migrated store with rooms alpha and beta, fresh for each case of the calling describe. */
function migratedStore(newStore: NewStore, options?: NewStoreOptions) {
  const current = {} as { handle: StoreHandle; store: Store }
  beforeEach(async () => {
    current.handle = await newStore(options)
    current.store = current.handle.store
    await current.store.migrate()
    await current.store.createRoom(newRoom({ name: 'alpha', createdAt: 1, createdBy: 'u1' }))
    await current.store.createRoom(newRoom({ name: 'beta', createdAt: 2, createdBy: null }))
  })
  afterEach(async () => {
    await current.handle.cleanup()
  })
  return current
}

function migratedCases(newStore: NewStore): void {
  const current = migratedStore(newStore)
  let handle: StoreHandle
  let store: Store
  beforeEach(() => {
    ;({ handle, store } = current)
  })

  describe('membership', () => membershipCases(() => store))
  describe('files', () => fileCases(() => current))
  describe('messages that change', () => messageChangeCases(() => store))
  describe('search', () => searchCases(() => store))

  describe('migrate', () => {
    it('creates the lobby with no creator', async () => {
      const lobby = await store.findRoom('lobby')
      expect(lobby).toMatchObject({ name: 'lobby', createdBy: null, lastSeq: 0 })
    })
    it('is harmless when run again, also concurrently', async () => {
      await store.append(input('lobby', 'u1', 'c1'))
      await store.migrate()
      await Promise.all([store.migrate(), store.migrate()])
      expect(await store.lastSeq('lobby')).toBe(1)
      expect((await store.listRooms()).map((r) => r.name)).toEqual(['alpha', 'beta', 'lobby'])
    })
  })

  describe('append', () => {
    it('numbers each room 1, 2, 3 independently', async () => {
      const seqs: Array<[string, number]> = []
      for (const [room, cid] of [
        ['alpha', 'a'],
        ['beta', 'b'],
        ['alpha', 'c'],
        ['alpha', 'd'],
        ['beta', 'e'],
      ] as const) {
        const result = await store.append(input(room, 'u1', cid))
        expect(result.created).toBe(true)
        seqs.push([room, result.message.seq])
      }
      expect(seqs).toEqual([
        ['alpha', 1],
        ['beta', 1],
        ['alpha', 2],
        ['alpha', 3],
        ['beta', 2],
      ])
      expect(await store.lastSeq('alpha')).toBe(3)
      expect(await store.lastSeq('beta')).toBe(2)
      expect(await store.lastSeq('lobby')).toBe(0)
    })

    it('returns the stored message', async () => {
      const appended = input('alpha', 'u7', 'x1', 'hello')
      const { message } = await store.append(appended)
      expect(message).toEqual({
        type: 'message',
        room: 'alpha',
        seq: 1,
        id: appended.id,
        user: 'name-u7',
        text: 'hello',
        ts: appended.ts,
        cid: 'x1',
        mentions: [],
      })
      expect(await store.messagesAfter('alpha', 0, 10)).toEqual([message])
    })

    it('gives 500 concurrent appends contiguous seqs per room, no holes, no duplicates', async () => {
      const rooms = ['alpha', 'beta', 'lobby']
      const inputs = Array.from({ length: 500 }, (_, i) =>
        input(rooms[i % 3] ?? 'lobby', `u${i % 7}`, `c${i}`),
      )
      const results = await Promise.all(inputs.map((i) => store.append(i)))
      expect(results.every((r) => r.created)).toBe(true)
      for (const room of rooms) {
        const mine = results.filter((r) => r.message.room === room).map((r) => r.message.seq)
        const expected = Array.from({ length: mine.length }, (_, i) => i + 1)
        expect([...mine].sort((a, b) => a - b)).toEqual(expected)
        expect(await store.lastSeq(room)).toBe(mine.length)
        const stored = await store.messagesAfter(room, 0, 1000)
        expect(stored.map((m) => m.seq)).toEqual(expected)
      }
      // Each result names the input it answers.
      results.forEach((r, i) => expect(r.message.id).toBe(inputs[i]?.id))
    })

    it('stores a repeated (room, user, cid) once and answers with the first copy', async () => {
      const first = await store.append(input('alpha', 'u1', 'same', 'first'))
      await store.append(input('alpha', 'u1', 'other'))
      const again = await store.append(input('alpha', 'u1', 'same', 'second'))
      expect(again.created).toBe(false)
      expect(again.message).toEqual(first.message)
      expect(await store.lastSeq('alpha')).toBe(2)
    })

    it('dedupes the same cid sent concurrently (one batch)', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.append(input('alpha', 'u1', 'dup', `t${i}`))),
      )
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(new Set(results.map((r) => r.message.seq))).toEqual(new Set([1]))
      expect(new Set(results.map((r) => r.message.text)).size).toBe(1)
      expect(await store.lastSeq('alpha')).toBe(1)
      expect(await store.messagesAfter('alpha', 0, 10)).toHaveLength(1)
    })

    it('keeps seqs contiguous when a batch mixes repeats and new messages', async () => {
      const first = await store.append(input('alpha', 'u1', 'old'))
      const [a, repeat, b] = await Promise.all([
        store.append(input('alpha', 'u1', 'new1')),
        store.append(input('alpha', 'u1', 'old')),
        store.append(input('alpha', 'u2', 'new2')),
      ])
      expect(repeat).toEqual({ message: first.message, created: false })
      expect([a?.message.seq, b?.message.seq]).toEqual([2, 3])
      expect(await store.lastSeq('alpha')).toBe(3)
      expect((await store.messagesAfter('alpha', 0, 10)).map((m) => m.cid)).toEqual([
        'old',
        'new1',
        'new2',
      ])
    })

    it('stores the same cid from different users, or in different rooms, separately', async () => {
      const a = await store.append(input('alpha', 'u1', 'c'))
      const b = await store.append(input('alpha', 'u2', 'c'))
      const c = await store.append(input('beta', 'u1', 'c'))
      expect([a.created, b.created, c.created]).toEqual([true, true, true])
      expect([a.message.seq, b.message.seq, c.message.seq]).toEqual([1, 2, 1])
    })

    it('rejects an unknown room with room_not_found, without harming its batch', async () => {
      await rejectsWith(store.append(input('nowhere', 'u1', 'c')), 'room_not_found')
      const [ok1, bad, ok2] = await Promise.allSettled([
        store.append(input('alpha', 'u1', 'k1')),
        store.append(input('nowhere', 'u1', 'k2')),
        store.append(input('alpha', 'u1', 'k3')),
      ])
      expect(ok1.status === 'fulfilled' && ok1.value.message.seq).toBe(1)
      expect(bad.status === 'rejected' && isChatError(bad.reason) && bad.reason.code).toBe(
        'room_not_found',
      )
      expect(ok2.status === 'fulfilled' && ok2.value.message.seq).toBe(2)
      await rejectsWith(store.lastSeq('nowhere'), 'room_not_found')
    })

    it("answers many rooms' last seqs at once, leaving unknown rooms out", async () => {
      for (const cid of ['a', 'b']) await store.append(input('alpha', 'u1', cid))
      const seqs = await store.lastSeqs(['alpha', 'beta', 'lobby', 'nowhere'])
      expect([...seqs.entries()].sort()).toEqual([
        ['alpha', 2],
        ['beta', 0],
        ['lobby', 0],
      ])
      expect((await store.lastSeqs([])).size).toBe(0)
    })
  })

  describe('rows an engine cannot store', () => {
    const bad: ReadonlyArray<[string, (i: AppendInput) => AppendInput]> = [
      ['U+0000 in the text', (i) => ({ ...i, text: 'poison\u0000pill' })],
      ['U+0000 in the cid', (i) => ({ ...i, cid: 'c\u0000' })],
      ['an unpaired surrogate in the text', (i) => ({ ...i, text: 'half \uD83D pair' })],
    ]
    it.each(bad)('refuses %s with unstorable, alone: its batch commits', async (_name, spoil) => {
      const inputs = Array.from({ length: 15 }, (_, i) => input('alpha', `u${i % 3}`, `ok${i}`))
      const poisoned = spoil(input('alpha', 'u9', 'bad'))
      // All queued in one turn: they share a batch (group commit), the bad one in the middle.
      const settled = await Promise.allSettled([
        ...inputs.slice(0, 7).map((i) => store.append(i)),
        store.append(poisoned),
        ...inputs.slice(7).map((i) => store.append(i)),
      ])
      const refused = settled[7]
      expect(
        refused?.status === 'rejected' && isChatError(refused.reason) && refused.reason.code,
      ).toBe('unstorable')
      const stored = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.message)
      expect(stored.map((m) => m.cid)).toEqual(inputs.map((i) => i.cid))
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
      expect(await store.lastSeq('alpha')).toBe(15)
      expect((await store.messagesAfter('alpha', 0, 100)).map((m) => m.cid)).toEqual(
        inputs.map((i) => i.cid),
      )
    })

    it('a row the engine itself refuses (ts not an integer) fails alone; the rest commit', async () => {
      const inputs = Array.from({ length: 15 }, (_, i) =>
        input(i % 2 ? 'alpha' : 'beta', 'u1', `e${i}`),
      )
      const settled = await Promise.allSettled([
        ...inputs.slice(0, 4).map((i) => store.append(i)),
        store.append({ ...input('alpha', 'u2', 'nan'), ts: Number.NaN }),
        ...inputs.slice(4).map((i) => store.append(i)),
      ])
      const refused = settled[4]
      expect(
        refused?.status === 'rejected' && isChatError(refused.reason) && refused.reason.code,
      ).toBe('unstorable')
      const stored = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.message)
      expect(stored.map((m) => m.cid)).toEqual(inputs.map((i) => i.cid))
      for (const room of ['alpha', 'beta']) {
        const mine = inputs.filter((i) => i.room === room).map((i) => i.cid)
        const history = await store.messagesAfter(room, 0, 100)
        expect(history.map((m) => m.cid)).toEqual(mine)
        expect(history.map((m) => m.seq)).toEqual(mine.map((_, i) => i + 1))
      }
      // The store is not left broken: the next append commits.
      expect((await store.append(input('alpha', 'u1', 'next'))).message.seq).toBe(8)
    })
  })

  describe('history', () => {
    beforeEach(async () => {
      for (let i = 1; i <= 10; i++) await store.append(input('alpha', 'u1', `h${i}`))
      await store.append(input('beta', 'u1', 'other-room'))
    })

    it('messagesAfter: seq > after, oldest first, at most limit', async () => {
      expect((await store.messagesAfter('alpha', 0, 3)).map((m) => m.seq)).toEqual([1, 2, 3])
      expect((await store.messagesAfter('alpha', 7, 100)).map((m) => m.seq)).toEqual([8, 9, 10])
      expect(await store.messagesAfter('alpha', 10, 100)).toEqual([])
      expect((await store.messagesAfter('beta', 0, 100)).map((m) => m.cid)).toEqual(['other-room'])
    })

    it('messagesBefore: seq < before (or newest), newest first, at most limit', async () => {
      expect((await store.messagesBefore('alpha', undefined, 3)).map((m) => m.seq)).toEqual([
        10, 9, 8,
      ])
      expect((await store.messagesBefore('alpha', 4, 100)).map((m) => m.seq)).toEqual([3, 2, 1])
      expect(await store.messagesBefore('alpha', 1, 100)).toEqual([])
    })

    it('an unknown or empty room has no history', async () => {
      expect(await store.messagesAfter('lobby', 0, 10)).toEqual([])
      expect(await store.messagesBefore('nowhere', undefined, 10)).toEqual([])
    })

    it('addPreview attaches previews that history returns from then on', async () => {
      const preview = { url: 'https://a.example/', title: 'A', description: null, image: null }
      const second = { url: 'https://b.example/', title: null, description: 'B', image: 'i' }
      await store.addPreview('alpha', 5, preview)
      expect((await store.messagesBefore('alpha', 6, 1))[0]?.previews).toEqual([preview])
      await store.addPreview('alpha', 5, second)
      expect((await store.messagesBefore('alpha', 6, 1))[0]?.previews).toEqual([preview, second])
      expect((await store.messagesBefore('alpha', 7, 1))[0]?.previews).toBeUndefined()
    })
  })

  describe('users', () => {
    const alice = { id: 'u-alice', username: 'Alice', passwordHash: 'h1', createdAt: 5 }

    it('creates and finds a user, by any case of the name', async () => {
      await store.createUser(alice)
      expect(await store.findUserByName('Alice')).toEqual({ ...alice, bannedAt: null })
      expect(await store.findUserByName('aLiCe')).toEqual({ ...alice, bannedAt: null })
      expect(await store.findUserByName('bob')).toBeUndefined()
    })

    it('changes a password hash, of that user only', async () => {
      await store.createUser(alice)
      await store.createUser({ ...alice, id: 'u-bob', username: 'Bob' })
      await store.setPasswordHash('u-alice', 'h2')
      expect(await store.findUserByName('alice')).toMatchObject({ passwordHash: 'h2' })
      expect(await store.findUserByName('bob')).toMatchObject({ passwordHash: 'h1' })
    })

    it('bans and unbans; the ban shows on the user and on its sessions', async () => {
      await store.createUser(alice)
      await store.createSession({
        tokenHash: 'ta',
        userId: 'u-alice',
        username: 'Alice',
        createdAt: 1,
        expiresAt: 9,
      })
      await store.setBanned('u-alice', 1234)
      expect(await store.findUserByName('alice')).toMatchObject({ bannedAt: 1234 })
      expect(await store.findSession('ta')).toMatchObject({ bannedAt: 1234 })
      await store.setBanned('u-alice', null)
      expect(await store.findUserByName('alice')).toMatchObject({ bannedAt: null })
      expect(await store.findSession('ta')).toMatchObject({ bannedAt: null })
    })

    it('rejects a name taken in any case with username_taken', async () => {
      await store.createUser(alice)
      await rejectsWith(
        store.createUser({ ...alice, id: 'u-other', username: 'ALICE' }),
        'username_taken',
      )
    })
  })

  describe('sessions', () => {
    const user = { id: 'u-s', username: 'Sam', passwordHash: 'h', createdAt: 1 }
    const session = {
      tokenHash: 't1',
      userId: 'u-s',
      username: 'Sam',
      createdAt: 10,
      expiresAt: 20,
    }

    it('creates, finds (with the username), extends and deletes', async () => {
      await store.createUser(user)
      await store.createSession(session)
      expect(await store.findSession('t1')).toEqual({ ...session, bannedAt: null })
      expect(await store.findSession('t2')).toBeUndefined()
      await store.extendSession('t1', 99)
      expect(await store.findSession('t1')).toEqual({ ...session, expiresAt: 99, bannedAt: null })
      await store.deleteSession('t1')
      expect(await store.findSession('t1')).toBeUndefined()
      await store.deleteSession('t1')
    })

    it("deletes all of a user's sessions, or all but one, and no one else's", async () => {
      await store.createUser(user)
      await store.createUser({ ...user, id: 'u-t', username: 'Tess' })
      const make = (tokenHash: string, userId = 'u-s') =>
        store.createSession({ ...session, tokenHash, userId })
      await Promise.all([make('s1'), make('s2'), make('s3'), make('t1', 'u-t')])
      await store.deleteUserSessions('u-s', 's2')
      expect(await store.findSession('s1')).toBeUndefined()
      expect(await store.findSession('s2')).toBeDefined()
      expect(await store.findSession('s3')).toBeUndefined()
      expect(await store.findSession('t1')).toMatchObject({ userId: 'u-t' })
      await store.deleteUserSessions('u-s')
      expect(await store.findSession('s2')).toBeUndefined()
      expect(await store.findSession('t1')).toBeDefined()
    })
  })

  describe('rooms', () => {
    it('creates, finds and lists rooms', async () => {
      const room = await store.createRoom(newRoom({ name: 'gamma', createdAt: 7, createdBy: 'u9' }))
      expect(room).toEqual({
        name: 'gamma',
        createdAt: 7,
        createdBy: 'u9',
        lastSeq: 0,
        kind: 'public',
        topic: null,
      })
      expect(await store.findRoom('gamma')).toEqual(room)
      expect(await store.findRoom('nope')).toBeUndefined()
      await store.append(input('gamma', 'u9', 'c'))
      const listed = await store.listRooms()
      expect(listed.map((r) => r.name)).toEqual(['alpha', 'beta', 'gamma', 'lobby'])
      expect(listed.find((r) => r.name === 'gamma')?.lastSeq).toBe(1)
    })

    it('rejects an existing name with room_exists', async () => {
      await rejectsWith(
        store.createRoom(newRoom({ name: 'alpha', createdAt: 1, createdBy: null })),
        'room_exists',
      )
      await rejectsWith(
        store.createRoom(newRoom({ name: 'lobby', createdAt: 1, createdBy: null })),
        'room_exists',
      )
    })

    it('lists a page of rooms after a name, in name order', async () => {
      for (const name of ['delta', 'epsilon', 'zeta'])
        await store.createRoom(newRoom({ name, createdAt: 1, createdBy: 'u1' }))
      const names = async (page: { after?: string; limit?: number }) =>
        (await store.listRooms(page)).map((r) => r.name)
      expect(await names({ limit: 2 })).toEqual(['alpha', 'beta'])
      expect(await names({ after: 'beta', limit: 2 })).toEqual(['delta', 'epsilon'])
      expect(await names({ after: 'epsilon' })).toEqual(['lobby', 'zeta'])
      expect(await names({ after: 'zeta', limit: 5 })).toEqual([])
      // A cursor need not name an existing room (it may have been deleted meanwhile).
      expect(await names({ after: 'c', limit: 1 })).toEqual(['delta'])
    })

    it('counts the rooms each user created', async () => {
      await store.createRoom(newRoom({ name: 'gamma', createdAt: 1, createdBy: 'u1' }))
      await store.createRoom(newRoom({ name: 'delta', createdAt: 1, createdBy: 'u2' }))
      expect(await store.countRoomsCreatedBy('u1')).toBe(2)
      expect(await store.countRoomsCreatedBy('u2')).toBe(1)
      expect(await store.countRoomsCreatedBy('nobody')).toBe(0)
      await store.deleteRoom('gamma')
      expect(await store.countRoomsCreatedBy('u1')).toBe(1)
    })

    it('deletes a room with its messages; the name can be used again from seq 1', async () => {
      await store.append(input('alpha', 'u1', 'd1'))
      await store.append(input('alpha', 'u1', 'd2'))
      expect(await store.deleteRoom('alpha')).toBe(true)
      expect(await store.deleteRoom('alpha')).toBe(false)
      expect(await store.findRoom('alpha')).toBeUndefined()
      expect(await store.messagesAfter('alpha', 0, 10)).toEqual([])
      await rejectsWith(store.lastSeq('alpha'), 'room_not_found')
      await rejectsWith(store.append(input('alpha', 'u1', 'd3')), 'room_not_found')
      expect((await store.listRooms()).map((r) => r.name)).toEqual(['beta', 'lobby'])
      await store.createRoom(newRoom({ name: 'alpha', createdAt: 2, createdBy: 'u2' }))
      const again = await store.append(input('alpha', 'u1', 'd1'))
      expect(again).toMatchObject({ created: true, message: { seq: 1 } })
    })

    it('deleting a room while appends to it are queued loses no other room', async () => {
      const racing = Array.from({ length: 20 }, (_, i) =>
        store.append(input(i % 2 ? 'alpha' : 'beta', 'u1', `race${i}`)).then(
          () => 'ok',
          (e: unknown) => (isChatError(e) ? e.code : e),
        ),
      )
      const deleted = store.deleteRoom('alpha')
      const outcomes = await Promise.all(racing)
      expect(await deleted).toBe(true)
      // beta's appends all succeed; alpha's either committed before (and went) or found no room.
      outcomes.forEach((outcome, i) => expect(outcome).toBe(i % 2 ? outcome : 'ok'))
      for (const outcome of outcomes) expect(['ok', 'room_not_found']).toContain(outcome)
      expect(await store.messagesAfter('alpha', 0, 100)).toEqual([])
      expect((await store.messagesAfter('beta', 0, 100)).length).toBe(10)
    })
  })

  describe('lifecycle', () => {
    it('survives the server cutting its connections, then works again', async (ctx) => {
      if (handle.dropConnections === undefined) ctx.skip()
      await store.append(input('alpha', 'u1', 'before'))
      await store.listRooms()
      await handle.dropConnections!()
      // Calls on a cut connection may fail, but only with store_unavailable, and never crash.
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await store.append(input('alpha', 'u1', 'after')).then(
          (r) => r,
          (e: unknown) => e,
        )
        if (!isChatError(outcome)) break
        expect(outcome.code).toBe('store_unavailable')
      }
      await store.ping()
      expect((await store.messagesAfter('alpha', 0, 10)).map((m) => m.cid)).toEqual([
        'before',
        'after',
      ])
    })

    it('pings', async () => {
      await store.ping()
    })
  })
}

function durabilityCases(newStore: NewStore): void {
  const current = migratedStore(newStore, { production: true })

  it('close flushes queued appends; a reopened store keeps everything acked', async (ctx) => {
    const { handle } = current
    let { store } = current
    if (handle.reopen === undefined) ctx.skip()
    await store.createUser({ id: 'u1', username: 'Una', passwordHash: 'h', createdAt: 1 })
    await store.createSession({
      tokenHash: 'tk',
      userId: 'u1',
      username: 'Una',
      createdAt: 1,
      expiresAt: 2,
    })
    const acked = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.append(input('alpha', 'u1', `p${i}`))),
    )
    // Queued but not awaited before close: close must still commit it.
    const late = store.append(input('beta', 'u1', 'late'))
    await store.close()
    expect((await late).message.seq).toBe(1)
    await rejectsWith(store.append(input('alpha', 'u1', 'after-close')), 'store_unavailable')

    const reopened = await handle.reopen!()
    store = reopened
    await reopened.migrate()
    expect(await reopened.lastSeq('alpha')).toBe(50)
    expect((await reopened.messagesAfter('alpha', 0, 100)).map((m) => m.cid)).toEqual(
      acked.map((r) => r.message.cid),
    )
    expect(await reopened.lastSeq('beta')).toBe(1)
    expect(await reopened.findUserByName('una')).toMatchObject({ id: 'u1' })
    expect(await reopened.findSession('tk')).toMatchObject({ username: 'Una' })
    const next = await reopened.append(input('alpha', 'u1', 'p0'))
    expect(next).toMatchObject({ created: false, message: { seq: 1 } })
  })
}
