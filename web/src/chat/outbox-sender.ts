/**
 * Sends the outbox in the order it was written: per room, one message in flight at a time, the
 * next only once the server has acknowledged the one before it, and a refused one holds the ones
 * behind it until it is retried or discarded.
 *
 * Why stop-and-wait rather than pipelining: the server handles a socket's frames concurrently and
 * the fallback's POSTs are separate requests, so N+1 sent before N is acknowledged can be stored
 * first, and would be stored even when N is refused. A round trip per message costs nothing at
 * typing speed; a burst drains at one message per round trip.
 *
 * A message not acknowledged within SEND_TIMEOUT_MS is marked stalled (shown "Not sent", with
 * Retry). It still goes out by itself, in order, as soon as a connection carries sends again.
 */
import type { FileView } from '../../../src/protocol/index.js'
import type { ChatLink, Timers } from '../chat-link.js'
import { newCid, type OutboxItem } from '../outbox.js'
import { type ChatState, removeFromOutbox } from '../state/chat-state.js'
import type { ChatStateHolder } from '../state/state-holder.js'

export const SEND_TIMEOUT_MS = 10_000

type SendLink = Pick<ChatLink, 'send' | 'kick' | 'retryNow' | 'carrier' | 'status'>

interface Flight {
  readonly cid: string
  /** The link's carrier it went out on: if that one is gone, the message may be lost with it. */
  readonly carrier: number
}

export class OutboxSender {
  readonly #holder: ChatStateHolder
  readonly #link: SendLink
  readonly #timers: Timers
  /** Room → the message sent and not yet acknowledged. */
  readonly #inFlight = new Map<string, Flight>()
  /** cid → its SEND_TIMEOUT_MS timer. */
  readonly #deadlines = new Map<string, number>()

  constructor(holder: ChatStateHolder, link: SendLink, timers: Timers) {
    this.#holder = holder
    this.#link = link
    this.#timers = timers
  }

  get #state(): ChatState {
    return this.#holder.state
  }

  /** Gives the messages restored from a previous page load their deadline too. */
  start(): void {
    for (const item of this.#state.outbox) if (!item.failed) this.#watch(item.cid)
  }

  stop(): void {
    for (const id of this.#deadlines.values()) this.#timers.clearTimeout(id)
    this.#deadlines.clear()
  }

  /** Queues a new message for `room` (sent at once if nothing is ahead of it), maybe a reply. */
  add(room: string, text: string, attachments: readonly FileView[] = [], replyTo?: number): void {
    const item: OutboxItem = {
      cid: newCid(),
      room,
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(replyTo === undefined ? {} : { replyTo }),
      createdAt: Date.now(),
      failed: false,
    }
    this.#holder.set({ ...this.#state, outbox: [...this.#state.outbox, item] })
    this.#watch(item.cid)
    this.#pump(room)
  }

  /** The room can take sends (joined, or polling): what went out on an earlier carrier goes again. */
  ready(room: string): void {
    const flight = this.#inFlight.get(room)
    if (flight && flight.carrier !== this.#link.carrier) this.#inFlight.delete(room)
    this.#pump(room)
  }

  /** The outbox changed (an ack, an echo, a refusal): the next in line may go. */
  changed(): void {
    const outbox = this.#state.outbox
    for (const [room, flight] of [...this.#inFlight]) {
      const item = outbox.find((i) => i.cid === flight.cid)
      if (item && !item.failed) continue
      this.#inFlight.delete(room)
      this.#pump(room)
    }
    for (const [cid, id] of [...this.#deadlines]) {
      if (outbox.some((i) => i.cid === cid && !i.failed)) continue
      this.#timers.clearTimeout(id)
      this.#deadlines.delete(cid)
    }
  }

  /**
   * Retry on a refused or stalled message: the room's queue starts again from its oldest message
   * (with the same cids, so nothing that did arrive is stored twice), and the link reconnects now
   * if it was waiting.
   */
  retry(cid: string): void {
    const state = this.#state
    const item = state.outbox.find((i) => i.cid === cid)
    if (!item) return
    const { [cid]: _reason, ...failures } = state.failures
    const inRoom = state.outbox.filter((i) => i.room === item.room).map((i) => i.cid)
    const stalled = { ...state.stalled }
    for (const c of inRoom) delete stalled[c]
    const outbox = state.outbox.map((i) => (i.cid === cid ? { ...i, failed: false } : i))
    this.#holder.set({ ...state, outbox, failures, stalled })
    for (const c of inRoom) this.#watch(c)
    this.#pump(item.room)
    const { status } = this.#link
    if (status !== 'online' && status !== 'polling') this.#link.retryNow()
  }

  /** Drops a message that will not be sent; the ones it held go on. */
  discard(cid: string): void {
    const room = this.#state.outbox.find((i) => i.cid === cid)?.room
    this.#holder.update((state) => removeFromOutbox(state, cid))
    this.changed()
    if (room !== undefined) this.#pump(room)
  }

  #pump(room: string): void {
    if (this.#inFlight.has(room)) return
    const head = this.#state.outbox.find((i) => i.room === room)
    if (!head || head.failed) return
    const attachments = (head.attachments ?? []).map((file) => file.id)
    if (!this.#link.send(room, head.text, head.cid, { attachments, replyTo: head.replyTo })) return
    this.#inFlight.set(room, { cid: head.cid, carrier: this.#link.carrier })
    if (this.#state.stalled[head.cid]) {
      const { [head.cid]: _sent, ...stalled } = this.#state.stalled
      this.#holder.set({ ...this.#state, stalled })
    }
    this.#watch(head.cid)
  }

  #watch(cid: string): void {
    const previous = this.#deadlines.get(cid)
    if (previous !== undefined) this.#timers.clearTimeout(previous)
    this.#deadlines.set(
      cid,
      this.#timers.setTimeout(() => this.#overdue(cid), SEND_TIMEOUT_MS),
    )
  }

  #overdue(cid: string): void {
    this.#deadlines.delete(cid)
    const item = this.#state.outbox.find((i) => i.cid === cid)
    if (!item || item.failed) return
    this.#holder.set({ ...this.#state, stalled: { ...this.#state.stalled, [cid]: true } })
    if (this.#inFlight.get(item.room)?.cid !== cid) return
    this.#inFlight.delete(item.room)
    // Sent on a socket that still looks open, and no answer: the socket is silently dead.
    if (this.#link.status === 'online') this.#link.kick()
    else this.#pump(item.room)
  }
}
