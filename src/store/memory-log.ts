/** The memory store's room logs: messages, changes to them, and the timeline, as the SQL stores keep them. */
import { ChatError } from '../domain/errors.js'
import type {
  AppendInput,
  AppendResult,
  MessageChangeInput,
  MessageChangeResult,
  RoomRecord,
  StoredMessage,
} from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import type {
  MessageFrame,
  Reactions,
  Role,
  RoomLogEvent,
  TimelineMessage,
} from '../protocol/frames.js'
import { newMessage, refusedAsUnstorable } from './append-queue.js'
import { changeEvent, cidReused, DELETED_BEFORE, planChange, repeatOf } from './message-change.js'
import { QUOTE_CHARS, truncate } from './timeline.js'

export interface MemoryMember {
  role: Role
  readSeq: number
}

export interface MemoryRoom {
  record: Omit<RoomRecord, 'lastSeq'>
  /** messages[i] has seq i + 1: the room's whole log, every event type; messages as they are now. */
  messages: RoomLogEvent[]
  /** Author user id per seq (the log shows usernames; unread counts compare ids). */
  authors: string[]
  /** `${userId}\0${cid}` → seq, for dedupe. */
  byCid: Map<string, number>
  /** userId → membership. */
  members: Map<string, MemoryMember>
  /** seq → the message's reactions (absent: none). */
  reactions: Map<number, Reactions>
}

// Copies on the way in and out, so a test that mutates a result cannot corrupt the store.
export const copy = <T>(value: T): T => structuredClone(value)

export function newRoom(record: Omit<RoomRecord, 'lastSeq'>): MemoryRoom {
  return {
    record,
    messages: [],
    authors: [],
    byCid: new Map(),
    members: new Map(),
    reactions: new Map(),
  }
}

/** `attach` (a message with files) claims them for the new message's seq, or throws. */
export function appendMessage(
  room: MemoryRoom,
  input: AppendInput,
  attach?: (seq: number) => FileView[],
): AppendResult {
  const refused = refusedAsUnstorable(input)
  if (refused !== undefined) throw refused
  // What the SQL engines' `ts bigint not null` column refuses.
  if (!Number.isSafeInteger(input.ts)) throw new ChatError('unstorable')
  const key = `${input.userId}\0${input.cid}`
  const existing = room.byCid.get(key)
  if (existing !== undefined) {
    const first = room.messages[existing - 1]
    if (first?.type !== 'message') throw cidReused()
    return { message: copy(first), created: false }
  }
  const message = newMessage(input, room.messages.length + 1)
  if (attach) message.attachments = attach(message.seq)
  room.messages.push(message)
  room.authors.push(input.userId)
  room.byCid.set(key, message.seq)
  return { message: copy(message), created: true }
}

/** `onErase` hears of a deleted message's seq (its files are doomed with it). */
export function changeMessage(
  room: MemoryRoom,
  input: MessageChangeInput,
  onErase?: (seq: number) => void,
): MessageChangeResult {
  const refused = refusedAsUnstorable(input)
  if (refused !== undefined) throw refused
  if (!Number.isSafeInteger(input.ts)) throw new ChatError('unstorable')
  const key = `${input.userId}\0${input.cid}`
  const existing = room.byCid.get(key)
  if (existing !== undefined) {
    const event = repeatOf(room.messages[existing - 1]!, input)
    if (event instanceof ChatError) throw event
    return { event: copy(event), created: false }
  }
  const found = messageAt(room, input.target)
  const target =
    found === undefined
      ? undefined
      : {
          userId: room.authors[input.target - 1]!,
          deleted: found.deleted === true,
          reactions: room.reactions.get(input.target) ?? {},
        }
  const write = planChange(input, target)
  if (write instanceof ChatError) throw write
  if (write === DELETED_BEFORE) {
    const first = room.messages.find((e) => e.type === 'delete' && e.target === input.target)
    if (first?.type !== 'delete') throw new Error('A deleted message has no delete event')
    return { event: copy(first), created: false }
  }
  const event = changeEvent(input, room.messages.length + 1)
  room.messages.push(event)
  room.authors.push(input.userId)
  room.byCid.set(key, event.seq)
  const message = found!
  if (write.kind === 'edit') {
    message.text = write.text
    message.mentions = [...write.mentions]
    message.editedAt = write.editedAt
  } else if (write.kind === 'reactions') {
    if (Object.keys(write.reactions).length === 0) room.reactions.delete(input.target)
    else room.reactions.set(input.target, write.reactions)
  } else {
    erase(room, message)
    onErase?.(message.seq)
  }
  return { event: copy(event), created: true }
}

/** A delete: the message's text and everything derived from it go, in its edits too. */
function erase(room: MemoryRoom, message: MessageFrame): void {
  message.text = ''
  message.mentions = []
  message.deleted = true
  delete message.previews
  delete message.attachments
  room.reactions.delete(message.seq)
  for (const event of room.messages) {
    if (event.type === 'edit' && event.target === message.seq) {
      event.text = ''
      event.mentions = []
    }
  }
}

export function messageAt(room: MemoryRoom, seq: number): MessageFrame | undefined {
  const event = room.messages[seq - 1]
  return event?.type === 'message' ? event : undefined
}

export function findMessage(room: MemoryRoom, seq: number): StoredMessage | undefined {
  const message = messageAt(room, seq)
  if (message === undefined) return undefined
  return {
    seq,
    userId: room.authors[seq - 1]!,
    username: message.user,
    text: message.text,
    mentions: [...(message.mentions ?? [])],
    deleted: message.deleted === true,
  }
}

export function timeline(
  room: MemoryRoom,
  beforeSeq: number | undefined,
  limit: number,
): TimelineMessage[] {
  const log = room.messages
  const end = Math.min(log.length, beforeSeq === undefined ? Infinity : beforeSeq - 1)
  const page: TimelineMessage[] = []
  for (let i = end - 1; i >= 0 && page.length < limit; i--) {
    const event = log[i]!
    if (event.type !== 'message') continue
    const replies = log.filter(
      (e) => e.type === 'message' && e.replyTo === event.seq && e.deleted !== true,
    ).length
    const entry: TimelineMessage = {
      ...copy(event),
      mentions: [...(event.mentions ?? [])],
      deleted: event.deleted === true,
      reactions: copy(room.reactions.get(event.seq) ?? {}),
      replies,
    }
    const parent = event.replyTo === undefined ? undefined : messageAt(room, event.replyTo)
    if (parent !== undefined) {
      entry.quote = {
        user: parent.user,
        text: truncate(parent.text, QUOTE_CHARS),
        deleted: parent.deleted === true,
      }
    }
    page.push(entry)
  }
  return page
}
