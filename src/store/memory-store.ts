/** An in-memory Store for fast domain unit tests; never for production (nothing survives a restart). */
import { ChatError } from '../domain/errors.js'
import type {
  MemberRecord,
  MyRoomRecord,
  RoomRecord,
  SessionRecord,
  Store,
  StoredUser,
} from '../domain/ports.js'
import { ROOM_MENTION } from '../domain/mentions.js'
import {
  appendMessage,
  changeMessage,
  copy,
  findMessage,
  messageAt,
  newRoom,
  timeline,
  type MemoryMember,
  type MemoryRoom,
} from './memory-log.js'
import { MemoryFiles } from './memory-files.js'
import { searchRooms } from './memory-search.js'
import { changeEvent, plan } from './room-change.js'

export function createMemoryStore(): Store {
  const users = new Map<string, StoredUser>() // by lower-cased username
  const sessions = new Map<string, Omit<SessionRecord, 'username'>>()
  const rooms = new Map<string, MemoryRoom>()
  const files = new MemoryFiles()
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
  const userById = (id: string): StoredUser | undefined =>
    [...users.values()].find((user) => user.id === id)
  const memberRecord = (userId: string, member: MemoryMember): MemberRecord => ({
    userId,
    username: userById(userId)?.username ?? userId,
    role: member.role,
    readSeq: member.readSeq,
  })
  const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : 1)

  return {
    migrate: () =>
      op(() => {
        if (!rooms.has('lobby')) {
          const record = {
            name: 'lobby',
            createdAt: Date.now(),
            createdBy: null,
            kind: 'public' as const,
            topic: null,
          }
          rooms.set('lobby', newRoom(record))
        }
      }),
    createUser: (user) =>
      op(() => {
        const key = user.username.toLowerCase()
        if (users.has(key)) throw new ChatError('username_taken')
        users.set(key, { ...copy(user), bannedAt: null })
      }),
    findUserByName: (username) => op(() => copy(users.get(username.toLowerCase()))),
    setPasswordHash: (userId, passwordHash) =>
      op(() => {
        const user = userById(userId)
        if (user) users.set(user.username.toLowerCase(), { ...user, passwordHash })
      }),
    setBanned: (userId, bannedAt) =>
      op(() => {
        const user = userById(userId)
        if (user) users.set(user.username.toLowerCase(), { ...user, bannedAt })
      }),
    createSession: (session) =>
      op(() => {
        const { username: _ignored, ...stored } = session
        sessions.set(session.tokenHash, stored)
      }),
    findSession: (tokenHash) =>
      op(() => {
        const session = sessions.get(tokenHash)
        const user = session && userById(session.userId)
        return session && user
          ? { ...session, username: user.username, bannedAt: user.bannedAt }
          : undefined
      }),
    extendSession: (tokenHash, expiresAt) =>
      op(() => {
        const session = sessions.get(tokenHash)
        if (session) sessions.set(tokenHash, { ...session, expiresAt })
      }),
    deleteSession: (tokenHash) => op(() => void sessions.delete(tokenHash)),
    deleteUserSessions: (userId, exceptTokenHash) =>
      op(() => {
        for (const [hash, session] of sessions) {
          if (session.userId === userId && hash !== exceptTokenHash) sessions.delete(hash)
        }
      }),
    createRoom: (room) =>
      op(() => {
        if (rooms.has(room.name)) throw new ChatError('room_exists')
        const { members, ...record } = copy(room)
        const created = newRoom(record)
        for (const m of members) created.members.set(m.userId, { role: m.role, readSeq: 0 })
        rooms.set(room.name, created)
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
    deleteRoom: (name) =>
      op(() => {
        if (rooms.has(name)) files.doomRoom(name)
        return rooms.delete(name)
      }),
    listVisibleRooms: (userId, page = {}) =>
      op(() => {
        const after = page.after
        const visible = [...rooms.values()]
          .filter((r) => r.record.kind === 'public' || r.members.has(userId))
          .filter((r) => after === undefined || r.record.name > after)
          .map(toRecord)
          .sort(byName)
        return visible.slice(0, page.limit ?? visible.length)
      }),
    applyChange: (input) =>
      op(() => {
        const room = roomOf(input.room)
        const change = input.change
        const subjectId = change.type === 'member' ? change.subjectId : ''
        const current = change.type === 'member' ? room.members.get(subjectId)?.role : undefined
        const write = plan(input, current)
        if (write === undefined) return undefined
        const seq = room.messages.length + 1
        if (write.kind === 'insert') room.members.set(subjectId, { role: write.role, readSeq: seq })
        else if (write.kind === 'delete') room.members.delete(subjectId)
        else if (write.kind === 'update') room.members.get(subjectId)!.role = write.role
        else room.record = { ...room.record, topic: write.topic }
        const event = changeEvent(input, seq)
        room.messages.push(event)
        room.authors.push(input.userId)
        return copy(event)
      }),
    addMembers: (name, members) =>
      op(() => {
        const room = rooms.get(name)
        if (!room) return
        for (const m of members) {
          if (!room.members.has(m.userId)) {
            room.members.set(m.userId, { role: m.role, readSeq: room.messages.length })
          }
        }
      }),
    findMember: (name, userId) =>
      op(() => {
        const member = rooms.get(name)?.members.get(userId)
        return member && memberRecord(userId, member)
      }),
    listMembers: (name) =>
      op(() =>
        [...(rooms.get(name)?.members ?? new Map<string, MemoryMember>())]
          .map(([userId, member]) => memberRecord(userId, member))
          .sort((a, b) => (a.username.toLowerCase() < b.username.toLowerCase() ? -1 : 1)),
      ),
    myRooms: (userId, username) =>
      op(() => {
        const mine: MyRoomRecord[] = []
        for (const room of [...rooms.values()].sort((a, b) => byName(a.record, b.record))) {
          const member = room.members.get(userId)
          if (!member) continue
          let unread = 0
          let mentioned = 0
          room.messages.forEach((event, i) => {
            if (event.seq <= member.readSeq || event.type !== 'message') return
            if (room.authors[i] === userId || event.deleted === true) return
            unread++
            const names = event.mentions ?? []
            if (names.includes(username) || names.includes(ROOM_MENTION)) mentioned++
          })
          const others =
            room.record.kind === 'dm'
              ? {
                  members: [...room.members.keys()]
                    .map((id) => userById(id)?.username ?? id)
                    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
                }
              : {}
          mine.push({
            name: room.record.name,
            kind: room.record.kind,
            role: member.role,
            lastSeq: room.messages.length,
            readSeq: member.readSeq,
            unread,
            mentions: mentioned,
            ...others,
          })
        }
        return mine
      }),
    markRead: (name, userId, seq) =>
      op(() => {
        const room = rooms.get(name)
        const member = room?.members.get(userId)
        if (room && member)
          member.readSeq = Math.max(member.readSeq, Math.min(seq, room.messages.length))
      }),
    append: (input) =>
      op(() => {
        const attach =
          (input.attachments?.length ?? 0) > 0
            ? (seq: number) => files.claim(input, seq)
            : undefined
        return appendMessage(roomOf(input.room), input, attach)
      }),
    changeMessage: (input) =>
      op(() =>
        changeMessage(roomOf(input.room), input, (seq) => files.doomMessage(input.room, seq)),
      ),
    findMessage: (name, seq) =>
      op(() => copy(rooms.get(name) && findMessage(rooms.get(name)!, seq))),
    membersNamed: (name, usernames) =>
      op(() => {
        const keys = new Set(usernames.map((u) => u.toLowerCase()))
        return [...(rooms.get(name)?.members ?? new Map<string, MemoryMember>())]
          .filter(([userId]) => keys.has(userById(userId)?.username.toLowerCase() ?? ''))
          .map(([userId, member]) => memberRecord(userId, member))
      }),
    messagesAfter: (room, afterSeq, limit) =>
      op(() =>
        copy(rooms.get(room)?.messages.slice(Math.max(0, afterSeq), afterSeq + limit) ?? []),
      ),
    messagesBefore: (name, beforeSeq, limit) =>
      op(() => {
        const room = rooms.get(name)
        return room ? timeline(room, beforeSeq, limit) : []
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
    addPreview: (name, seq, preview) =>
      op(() => {
        const room = rooms.get(name)
        const message = room && messageAt(room, seq)
        if (message === undefined || message.deleted === true) return false
        message.previews = [...(message.previews ?? []), copy(preview)]
        return true
      }),
    createFile: (file) =>
      op(() => {
        roomOf(file.room)
        files.create(copy(file))
      }),
    findFile: (id) => op(() => files.find(id)),
    doomUnattachedFiles: (before) => op(() => files.doomUnattached(before)),
    doomedFiles: (limit) => op(() => files.doomed(limit)),
    purgeFiles: (ids) => op(() => files.purge(ids)),
    searchMessages: (query) => op(() => searchRooms(rooms, query)),
    ping: () => op(() => undefined),
    close: async () => {
      closed = true
      await Promise.resolve()
    },
  }
}
