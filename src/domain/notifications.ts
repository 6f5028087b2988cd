/**
 * Notifications on the user channel after a commit: a mention reaches the mentioned members, a new
 * message in a DM reaches its other members, on every socket of theirs on every node. Never the
 * author, never anyone who is not a member of the room.
 */
import type { EditEventFrame, MessageFrame, NotifyFrame } from '../protocol/frames.js'
import { isDmName } from './direct-messages.js'
import type { Actor } from './membership.js'
import { ROOM_MENTION } from './mentions.js'
import type { MemberRecord, Store } from './ports.js'

/** Where notices go (UserChannel, across nodes). */
export interface Notifier {
  notify(userId: string, notice: Omit<NotifyFrame, 'type'>): Promise<void>
}

/** DMs whose members are remembered: a DM never changes members, so the list never goes stale. */
const DM_CACHE_ROOMS = 10_000

export class Notifications {
  readonly #store: Store
  readonly #notifier: Notifier | undefined
  readonly #onError: (error: unknown) => void
  readonly #dmMembers = new Map<string, readonly string[]>()

  constructor(store: Store, notifier: Notifier | undefined, onError: (error: unknown) => void) {
    this.#store = store
    this.#notifier = notifier
    this.#onError = onError
  }

  /** A new message (stored): its mentions, and every other member of a DM. */
  afterMessage(author: Actor, message: MessageFrame, mentioned: readonly MemberRecord[]): void {
    const dm = isDmName(message.room)
    const roomWide = message.mentions?.includes(ROOM_MENTION) === true
    if (!dm && !roomWide && mentioned.length === 0) return
    this.#send(author, message, mentioned, roomWide, dm).catch(this.#onError)
  }

  /** An edit (stored): only those it mentions that the message did not mention before. */
  afterEdit(
    author: Actor,
    event: EditEventFrame,
    before: readonly string[],
    mentioned: readonly MemberRecord[],
  ): void {
    const fresh = mentioned.filter((member) => !before.includes(member.username))
    const roomWide = event.mentions.includes(ROOM_MENTION) && !before.includes(ROOM_MENTION)
    if (!roomWide && fresh.length === 0) return
    const notice = { room: event.room, seq: event.target, text: event.text }
    this.#send(author, notice, fresh, roomWide, false).catch(this.#onError)
  }

  async #send(
    author: Actor,
    notice: { readonly room: string; readonly seq: number; readonly text: string },
    mentioned: readonly MemberRecord[],
    roomWide: boolean,
    dm: boolean,
  ): Promise<void> {
    const notifier = this.#notifier
    if (notifier === undefined) return
    const kinds = new Map<string, NotifyFrame['kind']>()
    if (roomWide) {
      for (const member of await this.#store.listMembers(notice.room))
        kinds.set(member.userId, 'mention')
    }
    for (const member of mentioned) kinds.set(member.userId, 'mention')
    // In a DM every message is for the others anyway: one notice, of kind dm.
    if (dm) for (const userId of await this.#membersOfDm(notice.room)) kinds.set(userId, 'dm')
    kinds.delete(author.id)
    const { room, seq, text } = notice
    await Promise.all(
      [...kinds].map(([userId, kind]) =>
        notifier.notify(userId, { kind, room, seq, user: author.username, text }),
      ),
    )
  }

  async #membersOfDm(room: string): Promise<readonly string[]> {
    const known = this.#dmMembers.get(room)
    if (known !== undefined) return known
    const ids = (await this.#store.listMembers(room)).map((member) => member.userId)
    if (this.#dmMembers.size >= DM_CACHE_ROOMS) this.#dmMembers.clear()
    this.#dmMembers.set(room, ids)
    return ids
  }
}
