/** Completing "@name" in the composer: where the name being typed starts, and who it could be. Pure. */

/** The "@" and the name characters typed so far, right before the caret. */
export interface MentionQuery {
  /** Index of the "@". */
  readonly start: number
  /** What follows the "@" up to the caret (may be empty). */
  readonly query: string
}

// An "@" at the start or after a character that cannot be part of a name or an address (as the
// server's mention pattern), then name characters up to the caret.
const BEFORE_CARET = /(?<![A-Za-z0-9_])@([A-Za-z0-9_-]{0,32})$/

export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const match = BEFORE_CARET.exec(text.slice(0, caret))
  if (!match) return null
  return { start: match.index, query: match[1] ?? '' }
}

/** Names starting with the query first, then names containing it; never me; at most `limit`. */
export function suggestNames(
  query: string,
  candidates: readonly string[],
  me: string,
  limit = 6,
): string[] {
  const q = query.toLowerCase()
  const names = [...new Set(candidates)].filter((name) => name !== me)
  const starts = names.filter((name) => name.toLowerCase().startsWith(q))
  const contains = names.filter(
    (name) => !name.toLowerCase().startsWith(q) && name.toLowerCase().includes(q),
  )
  const byName = (a: string, b: string) => a.localeCompare(b)
  return [...starts.sort(byName), ...contains.sort(byName)].slice(0, limit)
}

/** The text with the query replaced by "@name " and the caret after it. */
export function insertMention(
  text: string,
  caret: number,
  { start }: MentionQuery,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `
  const rest = text.slice(caret).replace(/^ /, '')
  return { text: text.slice(0, start) + inserted + rest, caret: start + inserted.length }
}
