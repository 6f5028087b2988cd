/**
 * The timeline query both SQL stores share: each message as it is now, with its reactions, its
 * reply count and the answered message's quote, in one statement (a left join and a count on the
 * partial index of replies).
 */
import { sql } from 'kysely'
import type { TimelineMessage } from '../protocol/frames.js'
import { parseReactions, toChatMessage, type MessageRow } from './schema.js'

/** How much of the answered message a reply's quote shows (code points). */
export const QUOTE_CHARS = 120

export type TimelineRow = MessageRow & {
  reactions: unknown
  replies: number | string
  quote_user: string | null
  quote_text: string | null
  quote_deleted_at: number | null
}

export const TIMELINE_SELECT = sql`select m.room, m.seq, m.id, m.username, m.text, m.cid, m.ts,
    m.previews, m.attachments, m.reply_to, m.mentions, m.edited_at, m.deleted_at, m.reactions,
    (select count(*) from messages r
       where r.room = m.room and r.reply_to = m.seq and r.deleted_at is null) as replies,
    p.username as quote_user, p.text as quote_text, p.deleted_at as quote_deleted_at
  from messages m
  left join messages p on p.room = m.room and p.seq = m.reply_to and p.type = 'message'`

export function toTimelineMessage(row: TimelineRow): TimelineMessage {
  const base = toChatMessage(row)
  const message: TimelineMessage = {
    ...base,
    mentions: base.mentions ?? [],
    deleted: row.deleted_at !== null,
    reactions: parseReactions(row.reactions),
    replies: Number(row.replies),
  }
  if (row.quote_user !== null) {
    message.quote = {
      user: row.quote_user,
      text: truncate(row.quote_text ?? '', QUOTE_CHARS),
      deleted: row.quote_deleted_at !== null,
    }
  }
  return message
}

/** The first `max` code points (never half a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  return Array.from(text).slice(0, max).join('')
}
