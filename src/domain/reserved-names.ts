/**
 * Names nobody may register because they pass for a bot's: the bot's own name in any case, and
 * look-alikes within the name alphabet (m0viebot, rnoviebot, movie_bot, MOVIEB0T).
 */
import { MOVIE_BOT } from './movie-bot.js'

/**
 * ASCII confusables folded to one form, after lower-casing (after Unicode TR39's skeleton, cut
 * down to what NAME_PATTERN allows): multi-letter look-alikes first, then single characters.
 */
const SEQUENCES: ReadonlyArray<readonly [string, string]> = [
  ['rn', 'm'],
  ['vv', 'w'],
  ['cl', 'd'],
]
const SINGLES: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'l',
  i: 'l',
  '3': 'e',
  '5': 's',
  '6': 'b',
  '8': 'b',
  '9': 'g',
  '4': 'a',
  '7': 't',
}

/** The form two names share when they look alike; separators ("_", "-", ".") do not count. */
export function skeleton(name: string): string {
  let folded = name.toLowerCase().replace(/[_.-]/g, '')
  for (const [from, to] of SEQUENCES) folded = folded.split(from).join(to)
  return [...folded].map((c) => SINGLES[c] ?? c).join('')
}

const RESERVED = new Set([skeleton(MOVIE_BOT.username)])

export function isReservedName(username: string): boolean {
  return RESERVED.has(skeleton(username))
}
