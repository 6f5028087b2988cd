/**
 * Pure: what the members panel offers me, mirroring the server's rules (docs/protocol.md, "Rooms,
 * members and who may see what"). The server decides; these only hide buttons that would be refused.
 */
import type { Role, RoomKind } from '../../../src/protocol/index.js'

const RANK: Readonly<Record<Role, number>> = { owner: 3, admin: 2, member: 1 }
/** Server admins (ADMIN_USERS) outrank every room role. */
const SERVER_ADMIN = 4

export interface Me {
  readonly username: string
  /** My role in the room, null if unknown. */
  readonly role: Role | null
  /** A server admin. */
  readonly admin: boolean
}

function rank(me: Me): number {
  if (me.admin) return SERVER_ADMIN
  return me.role ? RANK[me.role] : 0
}

/** Invite: any member of a public room; owners and admins of a private one; never into a DM. */
export function canInvite(me: Me, kind: RoomKind): boolean {
  if (kind === 'dm') return false
  return rank(me) >= (kind === 'private' ? RANK.admin : RANK.member)
}

/** Remove: members ranked below me (myself: that is Leave, in the header). */
export function canRemove(me: Me, kind: RoomKind, target: { username: string; role: Role }) {
  return kind !== 'dm' && target.username !== me.username && rank(me) > RANK[target.role]
}

/** The roles I may give `target`: owners (and server admins) set the roles of non-owners. */
export function rolesFor(
  me: Me,
  kind: RoomKind,
  target: { username: string; role: Role },
): readonly Role[] {
  if (kind === 'dm' || target.username === me.username) return []
  const r = rank(me)
  if (r < RANK.owner || (r === RANK.owner && target.role === 'owner')) return []
  return ['owner', 'admin', 'member']
}

/** Topic: owners and admins (and server admins); a DM has none. */
export function canSetTopic(me: Me, kind: RoomKind): boolean {
  return kind !== 'dm' && rank(me) >= RANK.admin
}

/** Ban: server admins, of anyone but themselves (the server refuses banning an admin, 403). */
export function canBan(me: Me, target: string): boolean {
  return me.admin && target !== me.username
}

/**
 * The usernames a DM box may suggest for `typed` (the part after the last comma): people from my
 * rooms and who is online, by prefix, case-insensitive, never me, at most `limit`.
 */
export function suggestPeople(
  known: Iterable<string>,
  typed: string,
  me: string,
  limit = 8,
): string[] {
  const prefix = typed.split(',').pop()?.trim().toLowerCase() ?? ''
  const chosen = new Set(
    typed
      .split(',')
      .slice(0, -1)
      .map((name) => name.trim().toLowerCase()),
  )
  const out = new Set<string>()
  for (const name of known) {
    const key = name.toLowerCase()
    if (name === me || chosen.has(key) || !key.startsWith(prefix)) continue
    out.add(name)
  }
  return [...out].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)).slice(0, limit)
}

/** "bob, cy" → ["bob", "cy"]: the DM box's names, blanks and repeats dropped. */
export function parsePeople(typed: string): string[] {
  const seen = new Set<string>()
  const names: string[] = []
  for (const part of typed.split(/[,\s]+/)) {
    const name = part.trim().replace(/^@/, '')
    if (name && !seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase())
      names.push(name)
    }
  }
  return names
}
