/** Where a query occurs in a text, ignoring case, as [start, end) offsets into the original text. */

/**
 * Folds `text` one code point at a time, remembering where each folded unit came from: lower-casing
 * can change a string's length ("İ" becomes two units), so offsets in the folded text are mapped back.
 */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = ''
  const origin: number[] = []
  let index = 0
  for (const char of text) {
    const lower = char.toLowerCase()
    folded += lower
    for (let unit = 0; unit < lower.length; unit++) origin.push(index)
    index += char.length
  }
  origin.push(index)
  return { folded, origin }
}

/** Each non-overlapping occurrence of `query` in `text`, left to right. */
export function matchRanges(text: string, query: string): Array<[number, number]> {
  const needle = query.toLowerCase()
  if (needle.length === 0) return []
  const { folded, origin } = fold(text)
  const ranges: Array<[number, number]> = []
  let from = 0
  for (;;) {
    const at = folded.indexOf(needle, from)
    if (at < 0) break
    const start = origin[at] ?? 0
    const end = origin[at + needle.length] ?? text.length
    // A match ending inside a folded character covers that whole character.
    const last = origin[at + needle.length - 1] ?? start
    ranges.push([start, Math.max(end, last + 1)])
    from = at + needle.length
  }
  return ranges
}
