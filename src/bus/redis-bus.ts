/**
 * Redis pub/sub Bus for many nodes: a channel per room and one per user (the user channel),
 * origin-tagged payloads, own echo dropped.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Bus, BusEvent, UserEvent } from '../domain/ports.js'
import { decodeEnvelope, encodeEnvelope, encodeUserEnvelope, roomOf } from './bus-envelope.js'
import { deliver } from './deliver.js'
import { PublishBacklog } from './publish-backlog.js'
import {
  closeRedis,
  connectRedis,
  defaultReporter,
  whenReady,
  type ErrorReporter,
} from '../redis/redis-connection.js'

export interface RedisBusOptions {
  readonly url: string
  /** Namespaces the channels, so several deployments (or test files) can share one Redis. */
  readonly prefix: string
  /** Unique per process: events carrying it are this node's own echo. */
  readonly nodeId: string
  /** Longest a publish, watch or unwatch waits on a hung Redis. */
  readonly commandTimeoutMs?: number
  /** Events kept for re-sending while Redis is away (see publish-backlog.ts). */
  readonly maxBacklog?: number
  readonly onError?: ErrorReporter
}

export function createRedisBus(options: RedisBusOptions): RedisBus {
  return new RedisBus(options)
}

export class RedisBus implements Bus {
  readonly #pub: Redis
  readonly #sub: Redis
  readonly #nodeId: string
  readonly #prefix: string
  readonly #timeoutMs: number
  readonly #report: ErrorReporter
  #handlers: Array<(event: BusEvent) => void> = []
  #userHandlers: Array<(userId: string, event: UserEvent) => void> = []
  #reconnectHandlers: Array<() => void> = []
  /** The rooms this node wants, whatever Redis currently knows: the source of truth on reconnect. */
  readonly #watched = new Set<string>()
  /** The users with a socket on this node, likewise. */
  readonly #watchedUsers = new Set<string>()
  #lost = false
  #everReady = false
  readonly #backlog: PublishBacklog
  #closed = false
  /** This node's own channel for health probes: a probe id comes back on it if pub/sub works. */
  readonly #probeChannel: string
  readonly #probes = new Map<string, () => void>()

  constructor(options: RedisBusOptions) {
    this.#nodeId = options.nodeId
    this.#prefix = options.prefix
    this.#timeoutMs = options.commandTimeoutMs ?? 1_000
    this.#report = options.onError ?? defaultReporter
    // No offline queue on the publish path: ioredis would otherwise hold a publish for as long as
    // Redis is down (12 s and more, measured), and the chat service awaits publish before it acks.
    this.#pub = connectRedis({
      url: options.url,
      name: `eddy-bus-pub:${options.nodeId}`,
      onError: this.#report,
      extra: {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: this.#timeoutMs,
      },
    })
    this.#backlog = new PublishBacklog({
      send: (channel, payload) => this.#pub.publish(channel, payload),
      canSend: () => this.#pub.status === 'ready',
      maxEntries: options.maxBacklog ?? 10_000,
      report: this.#report,
    })
    this.#pub.on('ready', () => void this.#backlog.flush())
    // The subscriber keeps its queue, so a SUBSCRIBE issued during an outage is sent once Redis is back.
    this.#sub = connectRedis({
      url: options.url,
      name: `eddy-bus-sub:${options.nodeId}`,
      onError: this.#report,
      extra: { maxRetriesPerRequest: null },
    })
    this.#probeChannel = `${this.#prefix}probe:${options.nodeId}`
    // ioredis subscribes again by itself after a reconnect, so this lasts the bus's life.
    this.#sub.subscribe(this.#probeChannel).catch((error: unknown) => this.#report(error, 'probe'))
    this.#sub.on('message', (channel: string, payload: string) => this.#receive(channel, payload))
    this.#sub.on('close', () => {
      this.#lost = !this.#closed
    })
    // Rooms watched before the first connect may have missed events too, so they also get a
    // catch-up; a bus that had nothing watched yet has nothing to catch up on.
    this.#sub.on('ready', () => {
      const catchUp =
        this.#lost || (!this.#everReady && this.#watched.size + this.#watchedUsers.size > 0)
      this.#lost = false
      this.#everReady = true
      if (catchUp) void this.#resubscribeThenNotify()
    })
  }

  /** Resolves once both connections are up (startup and tests); the bus works before that too. */
  async ready(timeoutMs = 5_000): Promise<void> {
    await Promise.all([whenReady(this.#pub, timeoutMs), whenReady(this.#sub, timeoutMs)])
  }

  async publish(event: BusEvent): Promise<void> {
    if (this.#closed) return
    // Local clients first and unconditionally: a node keeps serving its own rooms without Redis.
    deliver(this.#handlers, (error) => this.#report(error, 'bus handler'), event)
    const payload = encodeEnvelope(this.#nodeId, event)
    await this.#backlog.publish(this.#channel(roomOf(event)), payload, event.type !== 'typing')
  }

  onEvent(handler: (event: BusEvent) => void): void {
    this.#handlers.push(handler)
  }

  async publishToUser(userId: string, event: UserEvent): Promise<void> {
    if (this.#closed) return
    deliver(this.#userHandlers, (error) => this.#report(error, 'bus user handler'), userId, event)
    // Kept for re-sending while Redis is away, like messages: an ended session must not be lost.
    const payload = encodeUserEnvelope(this.#nodeId, userId, event)
    await this.#backlog.publish(this.#userChannel(userId), payload, true)
  }

  onUserEvent(handler: (userId: string, event: UserEvent) => void): void {
    this.#userHandlers.push(handler)
  }

  async watchUser(userId: string): Promise<void> {
    if (this.#closed || this.#watchedUsers.has(userId)) return
    this.#watchedUsers.add(userId)
    await this.#bounded(this.#sub.subscribe(this.#userChannel(userId)), 'subscribe user')
  }

  async unwatchUser(userId: string): Promise<void> {
    if (this.#closed || !this.#watchedUsers.delete(userId)) return
    await this.#bounded(this.#sub.unsubscribe(this.#userChannel(userId)), 'unsubscribe user')
  }

  async watch(room: string): Promise<void> {
    if (this.#closed || this.#watched.has(room)) return
    this.#watched.add(room)
    await this.#bounded(this.#sub.subscribe(this.#channel(room)), `subscribe ${room}`)
  }

  async unwatch(room: string): Promise<void> {
    if (this.#closed || !this.#watched.delete(room)) return
    await this.#bounded(this.#sub.unsubscribe(this.#channel(room)), `unsubscribe ${room}`)
  }

  onReconnect(handler: () => void): void {
    this.#reconnectHandlers.push(handler)
  }

  healthy(): boolean {
    return !this.#closed && this.#pub.status === 'ready' && this.#sub.status === 'ready'
  }

  async ping(timeoutMs: number): Promise<void> {
    if (!this.healthy()) throw new Error('redis bus connection is down')
    const id = randomBytes(8).toString('hex')
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no bus round trip in ${timeoutMs} ms`)),
          timeoutMs,
        )
        this.#probes.set(id, resolve)
        this.#pub.publish(this.#probeChannel, id).catch(reject)
      })
    } finally {
      clearTimeout(timer)
      this.#probes.delete(id)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#handlers = []
    this.#userHandlers = []
    this.#reconnectHandlers = []
    this.#backlog.clear()
    await Promise.all([closeRedis(this.#pub), closeRedis(this.#sub)])
  }

  #channel(room: string): string {
    return `${this.#prefix}room:${room}`
  }

  #userChannel(userId: string): string {
    return `${this.#prefix}user:${userId}`
  }

  #receive(channel: string, payload: string): void {
    if (channel === this.#probeChannel) {
      this.#probes.get(payload)?.()
      return
    }
    const envelope = decodeEnvelope(payload)
    if (envelope instanceof Error) {
      this.#report(envelope, `bus payload on ${channel}`)
      return
    }
    // The publisher already delivered its own event locally (socket.io cluster-adapter uid check).
    if (envelope.node === this.#nodeId) return
    if (envelope.user !== undefined) {
      const { user, event } = envelope
      if (!this.#watchedUsers.has(user) || channel !== this.#userChannel(user)) return
      deliver(this.#userHandlers, (error) => this.#report(error, 'bus user handler'), user, event)
      return
    }
    const room = roomOf(envelope.event)
    // Unwatched rooms still trickle in until Redis processes the UNSUBSCRIBE; a stray payload
    // whose room does not match its channel is not ours to deliver either.
    if (!this.#watched.has(room) || channel !== this.#channel(room)) return
    deliver(this.#handlers, (error) => this.#report(error, 'bus handler'), envelope.event)
  }

  // ioredis resubscribes by itself but does not say when it is done. Our own SUBSCRIBE is answered
  // after its, so the handlers run with every watched room live again and catch-up has no seam.
  async #resubscribeThenNotify(): Promise<void> {
    const channels = [
      ...[...this.#watched].map((room) => this.#channel(room)),
      ...[...this.#watchedUsers].map((user) => this.#userChannel(user)),
    ]
    try {
      if (channels.length > 0) await this.#sub.subscribe(...channels)
    } catch (error) {
      // Lost again before the answer came: the next 'ready' retries.
      this.#report(error, 'resubscribe')
      return
    }
    for (const handler of this.#reconnectHandlers) {
      try {
        handler()
      } catch (error) {
        this.#report(error, 'reconnect handler')
      }
    }
  }

  /**
   * Waits for a subscription change at most timeoutMs, and not at all while Redis is down: the
   * command stays queued, and onReconnect tells the caller to catch up once it has been sent.
   */
  async #bounded(command: Promise<unknown>, what: string): Promise<void> {
    if (this.#sub.status !== 'ready') {
      command.catch((error: unknown) => this.#report(error, what))
      return
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeoutMs)
    })
    try {
      await Promise.race([command, timeout])
    } catch (error) {
      this.#report(error, what)
    } finally {
      clearTimeout(timer)
    }
  }
}
