/** What a reaction may be: exactly one emoji, or a `:name:` from a short fixed list; both ends check it. */

/** Named reactions for keyboards without an emoji picker; the name is stored as written, colons included. */
export const REACTION_NAMES: readonly string[] = [
  '+1',
  '-1',
  'heart',
  'laugh',
  'tada',
  'eyes',
  'fire',
  'rocket',
  'thinking',
  'pray',
  'clap',
  'check',
  'x',
]

/** The longest emoji (ZWJ family sequences with skin tones) is well under this many UTF-16 units. */
export const MAX_REACTION_LENGTH = 64

const NAMED = new Set(REACTION_NAMES.map((name) => `:${name}:`))

/**
 * Unicode's recommended emoji (flags, keycaps, skin tones, ZWJ sequences) as one whole string. The
 * `v` flag is built at run time: an engine without it (older browsers) falls back to one
 * pictographic character with its modifiers, which still refuses letters, digits and runs of two.
 */
const ONE_EMOJI: RegExp = (() => {
  try {
    return new RegExp('^\\p{RGI_Emoji}$', 'v')
  } catch {
    return /^\p{Extended_Pictographic}\uFE0F?(\p{Emoji_Modifier}|(\u200D\p{Extended_Pictographic}\uFE0F?))*$/u
  }
})()

let segmenter: Intl.Segmenter | undefined

function graphemeCount(text: string): number {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  let count = 0
  for (const _ of segmenter.segment(text)) if (++count > 1) break
  return count
}

/** True for exactly one emoji grapheme (🎉, 👍🏽, 🇫🇷, 1️⃣, ❤️) or a listed `:name:`. */
export function isReaction(emoji: string): boolean {
  if (NAMED.has(emoji)) return true
  if (emoji.length === 0 || emoji.length > MAX_REACTION_LENGTH) return false
  return graphemeCount(emoji) === 1 && ONE_EMOJI.test(emoji)
}
