/**
 * The chat service's write half: send, edit, delete and react, each check → Store (commit) →
 * Bus publish → answer, then notifications. Only the ChatService builds and calls it, so the
 * chat service stays the one publisher of room events; the access check stays the service's.
 */
import { randomUUID } from 'node:crypto'
import type {
  ChatMessage,
  EditEventFrame,
  MessageChangeEvent,
  ReactionOp,
} from '../protocol/frames.js'
import type { ChatServiceOptions, SendExtras, Sender } from './chat-service.js'
import { ChatError } from './errors.js'
import { MessageRules, NO_EXTRAS, type MessageExtras } from './message-rules.js'
import { Notifications } from './notifications.js'
import type {
  AppendInput,
  Bus,
  ChatMetrics,
  Clock,
  Logger,
  MessageChangeResult,
  RateLimiter,
  RateLimitRule,
  Store,
} from './ports.js'
import type { RoomSubscriber } from './subscriber.js'

export type StoredListener = (message: ChatMessage) => void

/**
 * The service's access check for a writer: undefined when nothing needs awaiting (a socket that
 * follows the room, the hot path), else a promise that rejects when the writer may not write.
 */
export type AccessGate = (
  actor: Sender,
  room: string,
  via: RoomSubscriber | undefined,
) => Promise<void> | undefined

export class ChatWrites {
  readonly #store: Store
  readonly #bus: Bus
  readonly #limiter: RateLimiter
  readonly #clock: Clock
  readonly #log: Logger
  readonly #sendRule: RateLimitRule | undefined
  readonly #metrics: ChatMetrics
  readonly #gate: AccessGate
  readonly #rules: MessageRules
  readonly #notices: Notifications
  readonly #storedListeners: StoredListener[] = []
  readonly #afterDelete: (() => Promise<void>) | undefined

  constructor(options: ChatServiceOptions, metrics: ChatMetrics, gate: AccessGate) {
    this.#store = options.store
    this.#bus = options.bus
    this.#limiter = options.limiter
    this.#clock = options.clock
    this.#log = options.log
    this.#sendRule = options.limits.send
    this.#metrics = metrics
    this.#gate = gate
    this.#rules = new MessageRules(
      options.store,
      options.membership,
      options.clock,
      options.limits.maxTextChars,
      options.limits.maxAttachments,
    )
    this.#afterDelete = options.afterDelete
    this.#notices = new Notifications(options.store, options.notifier, (error) =>
      this.#log.warn({ err: error }, 'could not send a notification'),
    )
  }

  onStored(listener: StoredListener): void {
    this.#storedListeners.push(listener)
  }

  /** A plain message (no reply, no "@") costs no store read beyond the append. */
  async send(
    sender: Sender,
    room: string,
    text: string,
    cid: string,
    via: RoomSubscriber | undefined,
    extras: SendExtras,
  ): Promise<ChatMessage> {
    const checking = this.#gate(sender, room, via)
    if (checking) await checking
    const { replyTo } = extras
    const attachments = extras.attachments ?? []
    this.#rules.checkAttachments(attachments)
    // A message of files alone may have no text at all.
    if (text !== '' || attachments.length === 0) this.#rules.checkText(text)
    if (this.#sendRule) await this.#throttle(sender, this.#sendRule)
    const checked = this.#rules.needsExtras(text, replyTo)
      ? await this.#rules.extras(sender, room, text, replyTo)
      : NO_EXTRAS
    const started = performance.now()
    const input: AppendInput = {
      id: randomUUID(),
      room,
      userId: sender.id,
      username: sender.username,
      text,
      cid,
      ts: this.#clock.now(),
    }
    const { message, created } = await this.#store.append(
      checked === NO_EXTRAS && attachments.length === 0
        ? input
        : withExtras(input, checked, attachments),
    )
    this.#metrics.messageStored((performance.now() - started) / 1000, created)
    // A repeat is published again: harmless (feeds drop seen seqs) and it repairs a publish lost
    // when a node died between commit and publish.
    await this.#bus.publish({ type: 'log', event: message })
    if (created) {
      for (const listener of this.#storedListeners) listener(message)
      this.#notices.afterMessage(sender, message, checked.resolved.members)
    }
    return message
  }

  async edit(
    sender: Sender,
    room: string,
    target: number,
    text: string,
    cid: string,
    via: RoomSubscriber | undefined,
  ): Promise<EditEventFrame> {
    await this.#gate(sender, room, via)
    this.#rules.checkText(text)
    if (this.#sendRule) await this.#throttle(sender, this.#sendRule)
    const { result, before, resolved } = await this.#rules.edit(sender, room, target, text, cid)
    const event = await this.#published(result)
    if (event.type !== 'edit')
      throw new ChatError('internal', 'An edit came back as another event.')
    if (result.created) this.#notices.afterEdit(sender, event, before.mentions, resolved.members)
    return event
  }

  async delete(
    sender: Sender,
    room: string,
    target: number,
    cid: string,
    via: RoomSubscriber | undefined,
  ): Promise<MessageChangeEvent> {
    await this.#gate(sender, room, via)
    if (this.#sendRule) await this.#throttle(sender, this.#sendRule)
    const result = await this.#rules.delete(sender, room, target, cid)
    const event = await this.#published(result)
    if (result.created && this.#afterDelete) {
      await this.#afterDelete().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not delete the files of a deleted message yet')
      })
    }
    return event
  }

  async react(
    sender: Sender,
    room: string,
    target: number,
    reaction: { readonly emoji: string; readonly op: ReactionOp },
    cid: string,
    via: RoomSubscriber | undefined,
  ): Promise<MessageChangeEvent> {
    await this.#gate(sender, room, via)
    if (this.#sendRule) await this.#throttle(sender, this.#sendRule)
    const { emoji, op } = reaction
    return this.#published(await this.#rules.react(sender, room, target, emoji, op, cid))
  }

  /** Publishes a stored change (again for a repeat, like a message) and answers with its event. */
  async #published(result: MessageChangeResult): Promise<MessageChangeEvent> {
    await this.#bus.publish({ type: 'log', event: result.event })
    return result.event
  }

  /** The per-user send bucket, shared by messages and changes. */
  async #throttle(sender: Sender, rule: RateLimitRule): Promise<void> {
    const waitMs = await this.#limiter.take(`send:${sender.id}`, rule).catch((error: unknown) => {
      // A shared limiter that is down must not stop chat: fail open for sends.
      this.#log.warn({ err: error }, 'rate limiter unavailable; allowing the send')
      return 0
    })
    if (waitMs > 0) throw new ChatError('rate_limited', undefined, { retryAfterMs: waitMs })
  }
}

/** A reply's target and the resolved mentions, for the few messages that have them. */
function withExtras(
  input: AppendInput,
  extras: MessageExtras,
  attachments: readonly string[],
): AppendInput {
  const { replyTo, resolved } = extras
  return {
    ...input,
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(resolved.mentions.length === 0 ? {} : { mentions: resolved.mentions }),
    ...(attachments.length > 0 ? { attachments } : {}),
  }
}
