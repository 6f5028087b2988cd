/**
 * Pure updates of a room's messages by the room log: new messages, edits, deletes and reactions,
 * each applied exactly once (by seq), and timeline pages merged with the changes that arrived
 * while they were in flight.
 */
import type {
  ChatMessage,
  DeleteEventFrame,
  EditEventFrame,
  MessageChangeEvent,
  ReactionEventFrame,
  Reactions,
  ReplyQuote,
} from '../../../src/protocol/index.js'

/** A message as shown: as stored, plus what the timeline adds. */
export interface ShownMessage extends ChatMessage {
  /** Emoji → who reacted, in the order they did. */
  readonly reactions?: Reactions | undefined
  /** The answered message as the timeline found it (used while that message is not held). */
  readonly quote?: ReplyQuote | undefined
  /** Shown from the ack before the log's own copy arrived; that copy replaces it. */
  readonly provisional?: boolean | undefined
}

/** Changes to messages not held (older than the history loaded) wait here for their page. */
export const MAX_ORPHANS = 200
/** How much of the answered message a quote keeps (as the server's QUOTE_CHARS). */
export const QUOTE_CHARS = 120

export interface MessagesState {
  readonly messages: readonly ShownMessage[]
  /** Highest seq of any log event applied; null until the first `joined` sets the starting point. */
  readonly appliedSeq: number | null
  readonly orphans: readonly MessageChangeEvent[]
}

/**
 * A message from the log (live, or replayed on resume). A seq already held is skipped unless what
 * is held was only provisional (from the ack); previews that came for it are kept.
 */
export function addLogMessage<S extends MessagesState>(room: S, message: ChatMessage): S {
  const applied = Math.max(room.appliedSeq ?? 0, message.seq)
  const index = room.messages.findIndex((m) => m.seq === message.seq)
  const held = index === -1 ? undefined : room.messages[index]
  if (held && !held.provisional) {
    return applied === room.appliedSeq ? room : { ...room, appliedSeq: applied }
  }
  const shown: ShownMessage = held?.previews ? { ...message, previews: held.previews } : message
  const messages =
    held === undefined
      ? insertBySeq(room.messages, shown)
      : room.messages.map((m, i) => (i === index ? shown : m))
  return { ...room, messages, appliedSeq: applied }
}

/**
 * An edit, delete or reaction from the log, applied once: a seq at or below `appliedSeq` was
 * applied before (a replay overlapping what we saw live) and changes nothing. A change to a
 * message we do not hold is kept for when a history page brings it.
 */
export function applyLogChange<S extends MessagesState>(room: S, event: MessageChangeEvent): S {
  if (room.appliedSeq !== null && event.seq <= room.appliedSeq) return room
  const held = room.messages.some((m) => m.seq === event.target)
  const messages = applyChange(room.messages, event)
  const orphans = held ? room.orphans : [...room.orphans, event].slice(-MAX_ORPHANS)
  return { ...room, messages, orphans, appliedSeq: event.seq }
}

/**
 * Merges a timeline page (messages as they were when the server answered). A message we hold is
 * kept as held: it has every change since. A new one gets the changes that arrived while the page
 * was in flight, in seq order; re-applying one the page already shows ends in the same state,
 * because every later change to the same message is re-applied after it.
 */
export function mergeTimeline<S extends MessagesState>(room: S, page: readonly ShownMessage[]): S {
  const held = new Set(room.messages.map((m) => m.seq))
  const fresh = page.filter((m) => !held.has(m.seq))
  if (fresh.length === 0) return room
  const targets = new Set(fresh.map((m) => m.seq))
  let added: readonly ShownMessage[] = fresh
  for (const change of room.orphans)
    if (targets.has(change.target)) added = applyChange(added, change)
  const messages = [...room.messages, ...added].sort((a, b) => a.seq - b.seq)
  return { ...room, messages, orphans: room.orphans.filter((c) => !targets.has(c.target)) }
}

/** One change applied to a list: the target message, and the quotes of replies to it. */
export function applyChange(
  messages: readonly ShownMessage[],
  event: MessageChangeEvent,
): readonly ShownMessage[] {
  let changed = false
  const next = messages.map((message) => {
    let updated = message
    if (message.seq === event.target) updated = changeMessage(message, event)
    else if (message.replyTo === event.target && message.quote && event.type !== 'reaction')
      updated = { ...message, quote: changeQuote(message.quote, event) }
    if (updated !== message) changed = true
    return updated
  })
  return changed ? next : messages
}

function changeMessage(message: ShownMessage, event: MessageChangeEvent): ShownMessage {
  if (event.type === 'edit') return edited(message, event)
  if (event.type === 'delete') return deleted(message, event)
  return reacted(message, event)
}

function edited(message: ShownMessage, event: EditEventFrame): ShownMessage {
  // The server refuses to edit a deleted message; a stale edit must not bring text back either.
  if (message.deleted) return message
  return { ...message, text: event.text, mentions: event.mentions, editedAt: event.ts }
}

/**
 * A tombstone: the text, mentions, previews, files and reactions are gone (on the server for
 * good, so no thumbnail asks for a file that no longer exists); seq, author and time stay.
 */
function deleted(message: ShownMessage, _event: DeleteEventFrame): ShownMessage {
  if (message.deleted) return message
  const { previews: _p, reactions: _r, editedAt: _e, attachments: _a, ...kept } = message
  return { ...kept, text: '', mentions: [], deleted: true }
}

function reacted(message: ShownMessage, { emoji, op, user }: ReactionEventFrame): ShownMessage {
  if (message.deleted) return message
  const reactions = message.reactions ?? {}
  const users = reactions[emoji] ?? []
  const has = users.includes(user)
  if (op === 'add' ? has : !has) return message
  const { [emoji]: _old, ...others } = reactions
  const now = op === 'add' ? [...users, user] : users.filter((u) => u !== user)
  return { ...message, reactions: now.length > 0 ? { ...reactions, [emoji]: now } : others }
}

function changeQuote(quote: ReplyQuote, event: EditEventFrame | DeleteEventFrame): ReplyQuote {
  if (event.type === 'delete') return { ...quote, text: '', deleted: true }
  return quote.deleted
    ? quote
    : { ...quote, text: Array.from(event.text).slice(0, QUOTE_CHARS).join('') }
}

function insertBySeq(messages: readonly ShownMessage[], message: ShownMessage): ShownMessage[] {
  const after = messages.findIndex((m) => m.seq > message.seq)
  if (after === -1) return [...messages, message]
  return [...messages.slice(0, after), message, ...messages.slice(after)]
}

/** Replies held per answered seq (deleted replies do not count, as on the server). */
export function replyCounts(messages: readonly ShownMessage[]): ReadonlyMap<number, number> {
  const counts = new Map<number, number>()
  for (const m of messages)
    if (m.replyTo !== undefined && !m.deleted)
      counts.set(m.replyTo, (counts.get(m.replyTo) ?? 0) + 1)
  return counts
}
