/** This node's Prometheus metrics: one Registry per server, built by the composition root. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Bus, ChatMetrics, Store } from './domain/ports.js'

/** Local sizes read at scrape time, so nothing on the hot path touches a gauge. */
export interface NodeCounts {
  readonly connections: number
  readonly parkedPolls: number
  readonly rooms: number
}

/** A store ping is at most this often, however often Prometheus scrapes. */
const STORE_PING_INTERVAL_MS = 5_000
/** A scrape waits at most this long for a fresh ping, then reports the store as down. */
const STORE_PING_WAIT_MS = 1_000
/** A ping still unanswered after this is a failure, so a hung engine cannot stall every later ping. */
const STORE_PING_TIMEOUT_MS = 2_000

export class EddyMetrics implements ChatMetrics {
  readonly registry = new Registry()
  #counts: () => NodeCounts = () => ({ connections: 0, parkedPolls: 0, rooms: 0 })
  readonly #messagesIn: Counter
  readonly #deliveries: Counter
  readonly #appendSeconds: Histogram
  readonly #fanoutSeconds: Histogram
  readonly #slowReaderCloses: Counter
  readonly #store: Store
  #storeUp = 0
  #pingedAt = Number.NEGATIVE_INFINITY
  #ping: Promise<void> | undefined

  constructor(store: Store, bus: Bus) {
    this.#store = store
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.#messagesIn = new Counter({
      name: 'eddy_messages_in_total',
      help: 'Messages newly stored by this node (deduplicated repeats excluded).',
      registers,
    })
    this.#deliveries = new Counter({
      name: 'eddy_deliveries_total',
      help: 'Live messages written to subscribers on this node (one per recipient; catch-up replays excluded).',
      registers,
    })
    this.#appendSeconds = new Histogram({
      name: 'eddy_store_append_seconds',
      help: 'Time for store.append to commit a message (includes group-commit wait).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    })
    this.#fanoutSeconds = new Histogram({
      name: 'eddy_fanout_seconds',
      help: 'Time to hand one broadcast to every local subscriber of its room.',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    })
    this.#slowReaderCloses = new Counter({
      name: 'eddy_slow_reader_closes_total',
      help: 'WebSocket readers closed with 1013 because they left more than MAX_SOCKET_BUFFER_BYTES unread.',
      registers,
    })
    const counts = (): NodeCounts => this.#counts()
    new Gauge({
      name: 'eddy_connections',
      help: 'Open WebSocket connections on this node.',
      registers,
      collect() {
        this.set(counts().connections)
      },
    })
    new Gauge({
      name: 'eddy_parked_polls',
      help: 'Long-poll requests parked on this node.',
      registers,
      collect() {
        this.set(counts().parkedPolls)
      },
    })
    new Gauge({
      name: 'eddy_rooms_open',
      help: 'Rooms with a live feed (local subscribers) on this node.',
      registers,
      collect() {
        this.set(counts().rooms)
      },
    })
    new Gauge({
      name: 'eddy_bus_up',
      help: '1 while the bus engine is reachable (always 1 for the in-process bus).',
      registers,
      collect() {
        this.set(bus.healthy() ? 1 : 0)
      },
    })
    const storeUp = (): Promise<number> => this.#storeUpNow()
    new Gauge({
      name: 'eddy_store_up',
      help: '1 when the last store ping (at most every 5 s) succeeded; 0 if it failed or is still unanswered after 1 s.',
      registers,
      async collect() {
        this.set(await storeUp())
      },
    })
  }

  /** Wires the lazily read gauges to the transports, which exist only after the ChatService. */
  watch(counts: () => NodeCounts): void {
    this.#counts = counts
  }

  /** A reader too slow to drain its buffer was closed with 1013 (resumes with since). */
  slowReaderClosed(): void {
    this.#slowReaderCloses.inc()
  }

  messageStored(seconds: number, created: boolean): void {
    this.#appendSeconds.observe(seconds)
    if (created) this.#messagesIn.inc()
  }

  broadcast(recipients: number, seconds: number): void {
    this.#deliveries.inc(recipients)
    this.#fanoutSeconds.observe(seconds)
  }

  async #storeUpNow(): Promise<number> {
    const now = Date.now()
    if (!this.#ping && now - this.#pingedAt >= STORE_PING_INTERVAL_MS) {
      this.#pingedAt = now
      this.#ping = this.#pingStore()
    }
    if (this.#ping && !(await settlesWithin(this.#ping, STORE_PING_WAIT_MS))) return 0
    return this.#storeUp
  }

  async #pingStore(): Promise<void> {
    try {
      await timeout(this.#store.ping(), STORE_PING_TIMEOUT_MS)
      this.#storeUp = 1
    } catch {
      this.#storeUp = 0
    } finally {
      this.#ping = undefined
    }
  }
}

/** true if `promise` settles within `ms`; never rejects. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    const done = (): void => {
      clearTimeout(timer)
      resolve(true)
    }
    promise.then(done, done)
  })
}

function timeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
