/**
 * The search cursor of the memory and PostgreSQL stores: a hit's (ts, room, seq), the order they
 * list hits in (newest first). SQLite uses its own (a row id, sqlite-search.ts).
 */
import { ChatError } from '../domain/errors.js'

export interface TimeCursor {
  readonly ts: number
  readonly room: string
  readonly seq: number
}

export function timeCursor(hit: TimeCursor): string {
  return `${hit.ts}:${hit.seq}:${hit.room}`
}

export function parseTimeCursor(cursor: string): TimeCursor {
  const match = /^(\d{1,16}):(\d{1,16}):(.{1,64})$/.exec(cursor)
  const ts = Number(match?.[1])
  const seq = Number(match?.[2])
  if (!match || !Number.isSafeInteger(ts) || !Number.isSafeInteger(seq)) {
    throw new ChatError('invalid_request', 'before: not a cursor this server made')
  }
  return { ts, seq, room: match[3]! }
}

/** Whether `a` lists before `b` (newer first: ts, then room, then seq, all descending). */
export function newerFirst(a: TimeCursor, b: TimeCursor): number {
  if (a.ts !== b.ts) return b.ts - a.ts
  if (a.room !== b.room) return a.room < b.room ? 1 : -1
  return b.seq - a.seq
}
