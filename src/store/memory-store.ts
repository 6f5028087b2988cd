/** An in-memory Store for fast domain unit tests; never for production (nothing survives a restart). */
import { ChatError } from '../domain/errors.js'
import type { RoomRecord, SessionRecord, Store, UserRecord } from '../domain/ports.js'
import type { ChatMessage } from '../protocol/frames.js'
import { refusedAsUnstorable } from './append-queue.js'

interface MemoryRoom {
  record: Omit<RoomRecord, 'lastSeq'>
  /** messages[i] has seq i + 1. */
  messages: ChatMessage[]
  /** `${userId}\0${cid}` → seq, for dedupe. */
  byCid: Map<string, number>
}

// Copies on the way in and out, so a test that mutates a result cannot corrupt the store.
const copy = <T>(value: T): T => structuredClone(value)

export function createMemoryStore(): Store {
  const users = new Map<string, UserRecord>() // by lower-cased username
  const sessions = new Map<string, Omit<SessionRecord, 'username'>>()
  const rooms = new Map<string, MemoryRoom>()
  let closed = false

  // Every call is async like a real engine's, so callers cannot come to rely on synchronous results.
  const op = async <T>(work: () => T): Promise<T> => {
    await Promise.resolve()
    if (closed) throw new ChatError('store_unavailable', 'The store is closed.')
    return work()
  }
  const roomOf = (name: string): MemoryRoom => {
    const room = rooms.get(name)
    if (room === undefined) throw new ChatError('room_not_found')
    return room
  }
  const toRecord = (room: MemoryRoom): RoomRecord => ({
    ...room.record,
    lastSeq: room.messages.length,
  })
  const userById = (id: string): UserRecord | undefined =>
    [...users.values()].find((user) => user.id === id)

  return {
    migrate: () =>
      op(() => {
        if (!rooms.has('lobby')) {
          const record = { name: 'lobby', createdAt: Date.now(), createdBy: null }
          rooms.set('lobby', { record, messages: [], byCid: new Map() })
        }
      }),
    createUser: (user) =>
      op(() => {
        const key = user.username.toLowerCase()
        if (users.has(key)) throw new ChatError('username_taken')
        users.set(key, copy(user))
      }),
    findUserByName: (username) => op(() => copy(users.get(username.toLowerCase()))),
    createSession: (session) =>
      op(() => {
        const { username: _ignored, ...stored } = session
        sessions.set(session.tokenHash, stored)
      }),
    findSession: (tokenHash) =>
      op(() => {
        const session = sessions.get(tokenHash)
        const user = session && userById(session.userId)
        return session && user ? { ...session, username: user.username } : undefined
      }),
    extendSession: (tokenHash, expiresAt) =>
      op(() => {
        const session = sessions.get(tokenHash)
        if (session) sessions.set(tokenHash, { ...session, expiresAt })
      }),
    deleteSession: (tokenHash) => op(() => void sessions.delete(tokenHash)),
    createRoom: (room) =>
      op(() => {
        if (rooms.has(room.name)) throw new ChatError('room_exists')
        const record = { name: room.name, createdAt: room.createdAt, createdBy: room.createdBy }
        rooms.set(room.name, { record, messages: [], byCid: new Map() })
        return { ...record, lastSeq: 0 }
      }),
    findRoom: (name) =>
      op(() => {
        const room = rooms.get(name)
        return room && toRecord(room)
      }),
    listRooms: (page = {}) =>
      op(() => {
        const after = page.after
        const names = [...rooms.keys()].filter((name) => after === undefined || name > after)
        names.sort()
        return names.slice(0, page.limit ?? names.length).map((name) => toRecord(roomOf(name)))
      }),
    countRoomsCreatedBy: (username) =>
      op(() => [...rooms.values()].filter((room) => room.record.createdBy === username).length),
    deleteRoom: (name) => op(() => rooms.delete(name)),
    append: (input) =>
      op(() => {
        const refused = refusedAsUnstorable(input)
        if (refused !== undefined) throw refused
        // What the SQL engines' `ts bigint not null` column refuses.
        if (!Number.isSafeInteger(input.ts)) throw new ChatError('unstorable')
        const room = roomOf(input.room)
        const key = `${input.userId}\0${input.cid}`
        const existing = room.byCid.get(key)
        if (existing !== undefined) {
          return { message: copy(room.messages[existing - 1]!), created: false }
        }
        const message: ChatMessage = {
          room: input.room,
          seq: room.messages.length + 1,
          id: input.id,
          user: input.username,
          text: input.text,
          ts: input.ts,
          cid: input.cid,
        }
        room.messages.push(message)
        room.byCid.set(key, message.seq)
        return { message: copy(message), created: true }
      }),
    messagesAfter: (room, afterSeq, limit) =>
      op(() =>
        copy(rooms.get(room)?.messages.slice(Math.max(0, afterSeq), afterSeq + limit) ?? []),
      ),
    messagesBefore: (name, beforeSeq, limit) =>
      op(() => {
        const messages = rooms.get(name)?.messages ?? []
        const end = Math.min(messages.length, beforeSeq === undefined ? Infinity : beforeSeq - 1)
        return copy(messages.slice(Math.max(0, end - limit), Math.max(0, end)).reverse())
      }),
    lastSeq: (room) => op(() => roomOf(room).messages.length),
    lastSeqs: (names) =>
      op(() => {
        const seqs = new Map<string, number>()
        for (const name of names) {
          const room = rooms.get(name)
          if (room) seqs.set(name, room.messages.length)
        }
        return seqs
      }),
    addPreview: (room, seq, preview) =>
      op(() => {
        const message = rooms.get(room)?.messages[seq - 1]
        if (message) message.previews = [...(message.previews ?? []), copy(preview)]
      }),
    ping: () => op(() => undefined),
    close: async () => {
      closed = true
      await Promise.resolve()
    },
  }
}
