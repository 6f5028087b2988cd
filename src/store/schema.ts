/** Table types shared by the SQL stores, and the one place a message row becomes a ChatMessage. */
import type { ChatMessage, LinkPreview } from '../protocol/frames.js'

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
}

export interface Database {
  users: UsersTable
  sessions: SessionsTable
  rooms: RoomsTable
  messages: MessagesTable
}

export type MessageRow = Pick<
  MessagesTable,
  'room' | 'seq' | 'id' | 'username' | 'text' | 'cid' | 'ts' | 'previews'
>

export const MESSAGE_COLUMNS = [
  'room',
  'seq',
  'id',
  'username',
  'text',
  'cid',
  'ts',
  'previews',
] as const

export function toChatMessage(row: MessageRow): ChatMessage {
  const message: ChatMessage = {
    room: row.room,
    seq: Number(row.seq),
    id: row.id,
    user: row.username,
    text: row.text,
    ts: Number(row.ts),
    cid: row.cid,
  }
  const previews = parsePreviews(row.previews)
  if (previews !== undefined) message.previews = previews
  return message
}

function parsePreviews(value: unknown): LinkPreview[] | undefined {
  if (value === null || value === undefined) return undefined
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  return Array.isArray(parsed) && parsed.length > 0 ? (parsed as LinkPreview[]) : undefined
}
