/**
 * Mentions: `@username` in a message's text, resolved by the server when the message is sent or
 * edited. A name that is no member of the room stays plain text; `@room` mentions every member,
 * and only when a room owner or admin (or a server admin) writes it.
 */
import type { Actor, Membership } from './membership.js'
import type { MemberRecord, Store } from './ports.js'

/** How a room-wide mention is stored among a message's mentions (no username can contain "@"). */
export const ROOM_MENTION = '@room'

/** Names looked up per message, at most: a text full of @s costs one bounded query. */
const MAX_CANDIDATES = 50

/**
 * `@` at the start or after a character that cannot be part of a name or address, then a run of
 * name characters. Within the run a "." may end the sentence rather than the name ("@ann."), so
 * each prefix that stops before a "." is a candidate too; the longest that resolves wins.
 */
const MENTION = /(?<![A-Za-z0-9_])@([A-Za-z0-9_.-]{1,64})/g

export interface MentionCandidates {
  /** Per `@name`, its candidate names, longest first. */
  readonly names: ReadonlyArray<readonly string[]>
  /** The text says `@room`. */
  readonly room: boolean
}

export function mentionCandidates(text: string): MentionCandidates {
  const names: string[][] = []
  let room = false
  for (const match of text.matchAll(MENTION)) {
    const run = match[1] ?? ''
    const candidates = [run]
    for (let i = run.lastIndexOf('.'); i > 0; i = run.lastIndexOf('.', i - 1)) {
      candidates.push(run.slice(0, i))
    }
    if (candidates.some((name) => name.toLowerCase() === 'room')) room = true
    else names.push(candidates)
  }
  return { names, room }
}

export interface ResolvedMentions {
  /** What the message stores: canonical usernames in order of first appearance, then "@room". */
  readonly mentions: string[]
  /** The members named (not the room-wide mention), for notifications. */
  readonly members: MemberRecord[]
}

export const NO_MENTIONS: ResolvedMentions = { mentions: [], members: [] }

export class Mentions {
  readonly #store: Store
  readonly #membership: Membership

  constructor(store: Store, membership: Membership) {
    this.#store = store
    this.#membership = membership
  }

  /** Call only for text with an "@" in it: anything else mentions nobody, without a read. */
  async resolve(actor: Actor, room: string, text: string): Promise<ResolvedMentions> {
    const { names, room: roomWide } = mentionCandidates(text)
    const lookup = [...new Set(names.flat().map((name) => name.toLowerCase()))].slice(
      0,
      MAX_CANDIDATES,
    )
    const found = lookup.length > 0 ? await this.#store.membersNamed(room, lookup) : []
    const byKey = new Map(found.map((member) => [member.username.toLowerCase(), member]))
    const mentions: string[] = []
    const members: MemberRecord[] = []
    for (const candidates of names) {
      const member = candidates
        .map((name) => byKey.get(name.toLowerCase()))
        .find((m) => m !== undefined)
      if (member === undefined || mentions.includes(member.username)) continue
      mentions.push(member.username)
      members.push(member)
    }
    if (roomWide && (await this.#membership.moderates(actor, room))) mentions.push(ROOM_MENTION)
    return { mentions, members }
  }
}
