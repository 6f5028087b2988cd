/** Pure helpers for a room's message list: merge by seq, group by author. */
import type { ChatMessage } from '../../src/protocol/index.js'

/**
 * Merges incoming messages into a list sorted by seq. Duplicates (same seq) are dropped, so a
 * replay after reconnect, a long-poll answer and a history page can overlap freely. A later
 * copy only replaces an earlier one to carry previews that arrived since.
 */
export function mergeMessages(
  existing: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  if (incoming.length === 0) return existing as ChatMessage[]
  const bySeq = new Map<number, ChatMessage>()
  for (const message of existing) bySeq.set(message.seq, message)
  let changed = false
  for (const message of incoming) {
    const known = bySeq.get(message.seq)
    if (known && (known.previews?.length ?? 0) >= (message.previews?.length ?? 0)) continue
    bySeq.set(message.seq, known ? { ...message, previews: message.previews ?? [] } : message)
    changed = true
  }
  if (!changed) return existing as ChatMessage[]
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq)
}

/** Consecutive messages by one author within this window share one header. */
export const GROUP_WINDOW_MS = 5 * 60_000

/** True when `message` starts a new author group after `previous`. */
export function startsGroup(
  previous: Pick<ChatMessage, 'user' | 'ts'> | undefined,
  message: Pick<ChatMessage, 'user' | 'ts'>,
): boolean {
  return (
    previous === undefined ||
    previous.user !== message.user ||
    message.ts - previous.ts > GROUP_WINDOW_MS
  )
}

export function lastSeqOf(messages: readonly ChatMessage[]): number | undefined {
  return messages.at(-1)?.seq
}
