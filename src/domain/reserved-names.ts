/**
 * Names nobody may register: the bot's own name and its look-alikes within the name alphabet
 * (m0viebot, rnoviebot, movie_bot, MOVIEB0T), and the words a mention of many people uses.
 */
import { ROOM_MENTION } from './mentions.js'
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

/**
 * `@room` notifies every member, so a user named "room" could never be mentioned alone; the words
 * other chats use for the same (here, everyone, channel) are kept free of people too.
 */
const GROUP_MENTIONS = [ROOM_MENTION.slice(1), 'here', 'everyone', 'channel']

const RESERVED = new Set([skeleton(MOVIE_BOT.username), ...GROUP_MENTIONS.map(skeleton)])

export function isReservedName(username: string): boolean {
  return RESERVED.has(skeleton(username))
}
