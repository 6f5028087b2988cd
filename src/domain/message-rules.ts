/**
 * The rules of messages that change: text limits, replies (to a message of the same room), edits
 * (your own messages only), deletes (your own, or any for the room's owners and admins and server
 * admins), reactions (one emoji or a listed :name:), and the mentions a text makes. What can change
 * under a race (a target deleted meanwhile) the Store re-checks in its transaction.
 */
import { randomUUID } from 'node:crypto'
import { isReaction } from '../protocol/emoji.js'
import type { ReactionOp } from '../protocol/frames.js'
import { countChars } from '../protocol/names.js'
import { textProblem } from '../protocol/text-rules.js'
import { ChatError } from './errors.js'
import type { Actor, Membership } from './membership.js'
import { Mentions, NO_MENTIONS, type ResolvedMentions } from './mentions.js'
import type { Clock, MessageChange, MessageChangeResult, Store, StoredMessage } from './ports.js'

/** What a new message stores besides its text. */
export interface MessageExtras {
  readonly replyTo?: number
  readonly resolved: ResolvedMentions
}

export const NO_EXTRAS: MessageExtras = { resolved: NO_MENTIONS }

const DEFAULT_MAX_ATTACHMENTS = 10

export interface EditOutcome {
  readonly result: MessageChangeResult
  /** The message before the edit (its mentions tell who is newly mentioned). */
  readonly before: StoredMessage
  readonly resolved: ResolvedMentions
}

export class MessageRules {
  readonly #store: Store
  readonly #membership: Membership
  readonly #clock: Clock
  readonly #mentions: Mentions
  readonly #maxTextChars: number
  readonly #maxAttachments: number

  constructor(
    store: Store,
    membership: Membership,
    clock: Clock,
    maxTextChars: number,
    maxAttachments = DEFAULT_MAX_ATTACHMENTS,
  ) {
    this.#store = store
    this.#membership = membership
    this.#clock = clock
    this.#mentions = new Mentions(store, membership)
    this.#maxTextChars = maxTextChars
    this.#maxAttachments = maxAttachments
  }

  /** Count and repeats here; whose files they are is the Store's check, in the append's transaction. */
  checkAttachments(ids: readonly string[]): void {
    const max = this.#maxAttachments
    if (ids.length > max) {
      throw new ChatError('invalid_attachment', `A message carries at most ${max} files.`)
    }
    if (new Set(ids).size !== ids.length) {
      throw new ChatError('invalid_attachment', 'The same file is attached twice.')
    }
  }

  /** Refuses a text that is empty, too long, blank or carries controls (invalid_text). */
  checkText(text: string): void {
    const length = countChars(text)
    if (length < 1 || length > this.#maxTextChars) {
      throw new ChatError(
        'invalid_text',
        `Message text must be 1-${this.#maxTextChars} characters and not blank.`,
      )
    }
    const problem = textProblem(text)
    if (problem !== undefined) throw new ChatError('invalid_text', `Message text ${problem}.`)
  }

  /** Whether a new message needs `extras` read at all: a reply, or an "@" in its text. */
  needsExtras(text: string, replyTo: number | undefined): boolean {
    return replyTo !== undefined || text.includes('@')
  }

  /** The reply target checked (a message of this room, else invalid_reply) and the mentions resolved. */
  async extras(
    actor: Actor,
    room: string,
    text: string,
    replyTo: number | undefined,
  ): Promise<MessageExtras> {
    if (replyTo !== undefined && (await this.#store.findMessage(room, replyTo)) === undefined) {
      throw new ChatError('invalid_reply')
    }
    const resolved = text.includes('@')
      ? await this.#mentions.resolve(actor, room, text)
      : NO_MENTIONS
    return replyTo === undefined ? { resolved } : { replyTo, resolved }
  }

  async edit(
    actor: Actor,
    room: string,
    target: number,
    text: string,
    cid: string,
  ): Promise<EditOutcome> {
    const before = await this.#target(room, target)
    if (before.userId !== actor.id) {
      throw new ChatError('not_your_message', 'You can edit only your own messages.')
    }
    const resolved = text.includes('@')
      ? await this.#mentions.resolve(actor, room, text)
      : NO_MENTIONS
    const result = await this.#change(actor, room, target, cid, {
      type: 'edit',
      text,
      mentions: resolved.mentions,
    })
    return { result, before, resolved }
  }

  async delete(
    actor: Actor,
    room: string,
    target: number,
    cid: string,
  ): Promise<MessageChangeResult> {
    const message = await this.#target(room, target)
    if (message.userId !== actor.id && !(await this.#membership.moderates(actor, room))) {
      throw new ChatError(
        'not_your_message',
        "Only the room's owners and admins may delete someone else's message.",
      )
    }
    return this.#change(actor, room, target, cid, { type: 'delete' })
  }

  async react(
    actor: Actor,
    room: string,
    target: number,
    emoji: string,
    op: ReactionOp,
    cid: string,
  ): Promise<MessageChangeResult> {
    if (!isReaction(emoji)) throw new ChatError('invalid_emoji')
    await this.#target(room, target)
    return this.#change(actor, room, target, cid, { type: 'reaction', emoji, op })
  }

  async #target(room: string, seq: number): Promise<StoredMessage> {
    const message = await this.#store.findMessage(room, seq)
    if (message === undefined) throw new ChatError('message_not_found')
    return message
  }

  #change(
    actor: Actor,
    room: string,
    target: number,
    cid: string,
    change: MessageChange,
  ): Promise<MessageChangeResult> {
    return this.#store.changeMessage({
      id: randomUUID(),
      room,
      userId: actor.id,
      username: actor.username,
      cid,
      ts: this.#clock.now(),
      target,
      change,
    })
  }
}
