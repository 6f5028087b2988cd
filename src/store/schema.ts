/** Table types shared by the SQL stores, and the one place a log row becomes a RoomLogEvent. */
import type { StoredMessage } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import type {
  LinkPreview,
  MessageFrame,
  MemberOp,
  ReactionOp,
  Reactions,
  Role,
  RoomKind,
  RoomLogEvent,
} from '../protocol/frames.js'

// Times are milliseconds since the epoch (bigint in PostgreSQL, read back as numbers).
export interface UsersTable {
  id: string
  username: string
  /** username.toLowerCase(), computed in JS: SQLite's lower() only folds ASCII. */
  username_key: string
  password_hash: string
  created_at: number
  /** Set while a server admin's ban lasts (migration 2). */
  banned_at: number | null
}

export interface SessionsTable {
  token_hash: string
  user_id: string
  created_at: number
  expires_at: number
}

export interface RoomsTable {
  name: string
  created_at: number
  created_by: string | null
  last_seq: number
  kind: RoomKind
  topic: string | null
}

export interface MembersTable {
  room: string
  user_id: string
  role: Role
  read_seq: number
  joined_at: number
}

export interface MessagesTable {
  room: string
  seq: number
  id: string
  user_id: string
  username: string
  text: string
  cid: string
  ts: number
  /** A JSON array: text in SQLite (a string when read), jsonb in PostgreSQL (already parsed). */
  previews: unknown
  /** The event's type: 'message' (text in `text`), or another event (fields in `data`). */
  type: RoomLogEvent['type']
  /**
   * JSON object (text in SQLite, jsonb in PostgreSQL) of a non-message event's own fields (an
   * edit's text and mentions live here, never in `text`). Such events store '' as text; member and
   * room events store their id as cid (unique per room and user, never shown).
   */
  data: unknown
  /** Migration 5. Edit, delete and reaction events: the seq of the message they change. */
  target: number | null
  /** Messages: the seq of the message answered. */
  reply_to: number | null
  /** Messages: JSON array of the current mentions; null when none. */
  mentions: unknown
  edited_at: number | null
  /** Messages: set when deleted; text, mentions, previews, reactions and data are erased then. */
  deleted_at: number | null
  /** Messages: JSON object emoji → usernames; null when none. */
  reactions: unknown
  /** A JSON array of FileView (migration 7), like `previews`; null without attachments. */
  attachments: unknown
}

/** Uploaded files (migration 7); the bytes are in the BlobStore under the same id. */
export interface FilesTable {
  id: string
  room: string
  uploader_id: string
  name: string
  size: number
  type: string
  width: number | null
  height: number | null
  created_at: number
  /** The message it is attached to; null until a send claims it. */
  message_seq: number | null
  /** Set when its message or room is deleted (or it was never attached): the janitor removes it. */
  doomed_at: number | null
}

/** PostgreSQL only: a blob's bytes in chunks (postgres-blob-store.ts). */
export interface BlobsTable {
  id: string
  size: number
  chunk_bytes: number
  complete: boolean
  created_at: number
}

export interface BlobChunksTable {
  blob_id: string
  n: number
  data: Uint8Array
}

export interface Database {
  users: UsersTable
  sessions: SessionsTable
  rooms: RoomsTable
  messages: MessagesTable
  members: MembersTable
  files: FilesTable
  blobs: BlobsTable
  blob_chunks: BlobChunksTable
}

export type MessageRow = Pick<
  MessagesTable,
  | 'room'
  | 'seq'
  | 'id'
  | 'username'
  | 'text'
  | 'cid'
  | 'ts'
  | 'previews'
  | 'reply_to'
  | 'mentions'
  | 'edited_at'
  | 'deleted_at'
  | 'attachments'
>
export type LogRow = MessageRow & Pick<MessagesTable, 'type' | 'data' | 'target'>

export const MESSAGE_COLUMNS = [
  'room',
  'seq',
  'id',
  'username',
  'text',
  'cid',
  'ts',
  'previews',
  'reply_to',
  'mentions',
  'edited_at',
  'deleted_at',
  'attachments',
] as const

export const LOG_COLUMNS = [...MESSAGE_COLUMNS, 'type', 'data', 'target'] as const

/** A message row as it is now: current text, mentions, editedAt, and `deleted` once deleted. */
export function toChatMessage(row: MessageRow): MessageFrame {
  const message: MessageFrame = {
    type: 'message',
    room: row.room,
    seq: Number(row.seq),
    id: row.id,
    user: row.username,
    text: row.text,
    ts: Number(row.ts),
    cid: row.cid,
    mentions: parseList(row.mentions),
  }
  if (row.reply_to !== null) message.replyTo = Number(row.reply_to)
  if (row.edited_at !== null) message.editedAt = Number(row.edited_at)
  if (row.deleted_at !== null) message.deleted = true
  const previews = parsePreviews(row.previews)
  if (previews !== undefined) message.previews = previews
  const attachments = parseAttachments(row.attachments)
  if (attachments !== undefined) message.attachments = attachments
  return message
}

function parseAttachments(value: unknown): FileView[] | undefined {
  if (value === null || value === undefined) return undefined
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return Array.isArray(parsed) && parsed.length > 0 ? (parsed as FileView[]) : undefined
}

export type StoredMessageRow = Pick<
  MessagesTable,
  'seq' | 'user_id' | 'username' | 'text' | 'mentions' | 'deleted_at'
>
export const STORED_MESSAGE_COLUMNS = [
  'seq',
  'user_id',
  'username',
  'text',
  'mentions',
  'deleted_at',
] as const

export function toStoredMessage(row: StoredMessageRow): StoredMessage {
  return {
    seq: Number(row.seq),
    userId: row.user_id,
    username: row.username,
    text: row.text,
    mentions: parseList(row.mentions),
    deleted: row.deleted_at !== null,
  }
}

/** A JSON array column (mentions): text in SQLite, parsed already in PostgreSQL; null is empty. */
export function parseList(value: unknown): string[] {
  if (value === null || value === undefined) return []
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : []
}

/** The reactions column: emoji → usernames; null is none. */
export function parseReactions(value: unknown): Reactions {
  if (value === null || value === undefined) return {}
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return typeof parsed === 'object' && parsed !== null ? (parsed as Reactions) : {}
}

/** A list or object column's stored form: JSON text, or null when empty. */
export function jsonOrNull(value: readonly string[] | Reactions | undefined): string | null {
  if (value === undefined) return null
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0
  return empty ? null : JSON.stringify(value)
}

function parsePreviews(value: unknown): LinkPreview[] | undefined {
  if (value === null || value === undefined) return undefined
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return Array.isArray(parsed) && parsed.length > 0 ? (parsed as LinkPreview[]) : undefined
}

interface MemberData {
  subject: string
  op: MemberOp
  role?: Role
}
interface RoomData {
  topic?: string | null
}
interface EditData {
  text: string
  mentions?: string[]
}
interface ReactionData {
  emoji: string
  op: ReactionOp
}

export function toLogEvent(row: LogRow): RoomLogEvent {
  if (row.type === 'message') return toChatMessage(row)
  const data = parseJson(row.data)
  const base = { room: row.room, seq: Number(row.seq), user: row.username, ts: Number(row.ts) }
  if (row.type === 'edit' || row.type === 'delete' || row.type === 'reaction') {
    const changed = { ...base, cid: row.cid, target: Number(row.target) }
    if (row.type === 'delete') return { type: 'delete', ...changed }
    if (row.type === 'reaction') {
      const { emoji, op } = data as unknown as ReactionData
      return { type: 'reaction', ...changed, emoji, op }
    }
    const { text, mentions } = data as unknown as EditData
    return { type: 'edit', ...changed, text, mentions: mentions ?? [] }
  }
  if (row.type === 'member') {
    const { subject, op, role } = data as unknown as MemberData
    return { type: 'member', ...base, subject, op, ...(role === undefined ? {} : { role }) }
  }
  const { topic } = data as RoomData
  return { type: 'room', ...base, ...(topic === undefined ? {} : { topic }) }
}

/** The `data` column's JSON for a non-message event: its own fields, without the shared ones. */
export function eventData(event: Exclude<RoomLogEvent, { type: 'message' }>): string {
  switch (event.type) {
    case 'member': {
      const { subject, op, role } = event
      return JSON.stringify(role === undefined ? { subject, op } : { subject, op, role })
    }
    case 'room':
      return JSON.stringify(event.topic === undefined ? {} : { topic: event.topic })
    case 'edit':
      return JSON.stringify({ text: event.text, mentions: event.mentions })
    case 'delete':
      return '{}'
    case 'reaction':
      return JSON.stringify({ emoji: event.emoji, op: event.op })
  }
}

/** What an edit event's `data` becomes when its target is deleted: no text, no mentions. */
export const ERASED_EDIT_DATA = JSON.stringify({ text: '', mentions: [] })

function parseJson(value: unknown): Record<string, unknown> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
}
