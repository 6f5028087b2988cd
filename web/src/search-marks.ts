/** A search hit's text cut into plain and marked parts (the server's highlight offsets), as text only. */

export interface TextPart {
  readonly text: string
  readonly marked: boolean
}

/** Characters kept before the first match, so a long message still shows what matched. */
const LEAD = 40
/** Longest excerpt shown for one hit. */
const MAX_CHARS = 220

/**
 * The parts of `text`, marked where `highlights` ([start, end) offsets) say: clipped to an excerpt
 * around the first match, with "…" where text was cut. Offsets out of order, overlapping or out of
 * range are tolerated (ignored or clamped), never trusted to index blindly.
 */
export function markedParts(
  text: string,
  highlights: ReadonlyArray<readonly [number, number]>,
): TextPart[] {
  const first = highlights[0]?.[0] ?? 0
  const from = Math.max(0, Math.min(first - LEAD, text.length - MAX_CHARS))
  const to = Math.min(text.length, from + MAX_CHARS)
  const parts: TextPart[] = []
  if (from > 0) parts.push({ text: '…', marked: false })
  let at = from
  for (const [rawStart, rawEnd] of highlights) {
    const start = Math.max(at, Math.min(rawStart, to))
    const end = Math.max(start, Math.min(rawEnd, to))
    if (end <= start) continue
    if (start > at) parts.push({ text: text.slice(at, start), marked: false })
    parts.push({ text: text.slice(start, end), marked: true })
    at = end
  }
  if (to > at) parts.push({ text: text.slice(at, to), marked: false })
  if (to < text.length) parts.push({ text: '…', marked: false })
  return parts
}

/** Hits grouped by room, rooms in the order their newest hit comes. */
export function byRoom<T extends { readonly room: string }>(
  hits: readonly T[],
): Array<[string, T[]]> {
  const groups = new Map<string, T[]>()
  for (const hit of hits) {
    const group = groups.get(hit.room)
    if (group) group.push(hit)
    else groups.set(hit.room, [hit])
  }
  return [...groups]
}
