/**
 * The parent's handle on the load-generator processes: forks bench/load/worker.ts N times (so the
 * client side uses every core), splits connections and send rates between them, and merges what
 * they count.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { LatencyHistogram } from '../metrics/histogram.js'
import type { ServerKind } from './clients/protocol.js'
import type { ChangeMix } from './changes.js'
import type {
  ConnectResult,
  DurableResult,
  MissingResult,
  ReconnectResult,
  SendResult,
  Stats,
  WorkerCommand,
  WorkerReply,
} from './messages.js'

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** 127.0.0.2 … 127.0.0.(1 + n): each source address has its own ~28k ephemeral ports. */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${2 + i}`)
}

export interface MergedStats {
  readonly clients: number
  readonly open: number
  readonly unique: number
  readonly dupes: number
  readonly stale: number
  readonly outOfOrder: number
  readonly firstDeliveryUs: number
  readonly lastDeliveryUs: number
  readonly latency: LatencyHistogram
  readonly unexpectedCloses: Record<string, number>
  readonly minPerClient: number
}

/** Splits `total` into `parts` integers that differ by at most one. */
export function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  )
}

export class LoadPool {
  private readonly workers: ChildProcess[]
  private nextId = 1
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>()
  /** Clients each worker holds, for splitting senders. */
  private readonly held: number[]

  constructor(readonly size: number) {
    this.held = new Array<number>(size).fill(0)
    this.workers = Array.from({ length: size }, (_, index) => {
      const child = fork(WORKER_PATH, [], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
        env: { ...process.env, BENCH_WORKER_INDEX: String(index) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      child.on('message', (reply: WorkerReply) => {
        this.waiting.get(reply.id)?.(reply)
        this.waiting.delete(reply.id)
      })
      return child
    })
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid ?? 0)
  }

  private call<T>(index: number, cmd: WorkerCommand): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (reply) =>
        reply.ok ? resolve(reply.result as T) : reject(new Error(reply.error)),
      )
      this.workers[index]!.send({ id, ...cmd })
    })
  }

  private all<T>(cmd: (index: number) => WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((_, i) => this.call<T>(i, cmd(i))))
  }

  async connect(options: {
    kind: ServerKind
    baseUrl: string
    baseUrls?: readonly string[]
    count: number
    rooms: readonly string[]
    tokens: readonly string[]
    addresses: readonly string[]
    concurrencyPerWorker?: number
    retries?: number
  }): Promise<ConnectResult> {
    const counts = split(options.count, this.size)
    let start = 0
    const starts = counts.map((c) => {
      const s = start
      start += c
      return s
    })
    const results = await this.all<ConnectResult>((i) => ({
      cmd: 'connect',
      kind: options.kind,
      baseUrl: options.baseUrl,
      ...(options.baseUrls ? { baseUrls: options.baseUrls } : {}),
      count: counts[i]!,
      startIndex: starts[i]!,
      rooms: options.rooms,
      tokens: options.tokens,
      addresses: options.addresses,
      concurrency: options.concurrencyPerWorker ?? 64,
      ...(options.retries ? { retries: options.retries } : {}),
    }))
    results.forEach((r, i) => (this.held[i]! += r.connected))
    const firstError = results.find((r) => r.firstError)?.firstError
    return {
      connected: results.reduce((s, r) => s + r.connected, 0),
      failed: results.reduce((s, r) => s + r.failed, 0),
      retried: results.reduce((s, r) => s + (r.retried ?? 0), 0),
      ...(firstError ? { firstError } : {}),
    }
  }

  async phase(phase: number): Promise<void> {
    await this.all(() => ({ cmd: 'phase', phase }))
  }

  /** Sends `ratePerS` messages per second in total from `senders` clients spread over the workers. */
  async send(options: {
    phase: number
    ratePerS: number
    senders: number
    durationMs: number
    /** Wait (up to `ackTimeoutMs` after the last send) for every send's ack or error. */
    awaitAcks?: boolean
    ackTimeoutMs?: number
  }): Promise<SendResult> {
    const senders = split(options.senders, this.size)
    const results = await this.all<SendResult>((i) => ({
      cmd: 'send',
      phase: options.phase,
      ratePerS: (options.ratePerS * senders[i]!) / options.senders,
      senders: senders[i]!,
      durationMs: options.durationMs,
      ...(options.awaitAcks ? { awaitAcks: true } : {}),
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
    }))
    const firstError = results.find((r) => r.firstError)?.firstError
    return {
      sent: results.reduce((s, r) => s + r.sent, 0),
      acked: results.reduce((s, r) => s + r.acked, 0),
      errors: results.reduce((s, r) => s + r.errors, 0),
      ...(firstError ? { firstError } : {}),
    }
  }

  async durable(options: { phase: number; durationMs: number; window: number; mix?: ChangeMix }) {
    const results = await this.all<DurableResult>(() => ({ cmd: 'durable', ...options }))
    const firstError = results.find((r) => r.firstError)?.firstError
    return {
      acked: results.reduce((s, r) => s + r.acked, 0),
      ackedChanges: results.reduce((s, r) => s + (r.ackedChanges ?? 0), 0),
      errors: results.reduce((s, r) => s + r.errors, 0),
      ...(firstError ? { firstError } : {}),
      ackLatency: LatencyHistogram.fromSnapshots(results.map((r) => r.ackLatency)),
    }
  }

  /** Who is short of `expectPerClient` deliveries this phase, and what they last heard. */
  async missing(expectPerClient: number): Promise<MissingResult> {
    const all = await this.all<MissingResult>(() => ({ cmd: 'missing', expectPerClient }))
    const add = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n
    }
    const byUrl: Record<string, number> = {}
    const byTrouble: Record<string, number> = {}
    for (const r of all) {
      add(byUrl, r.byUrl)
      add(byTrouble, r.byTrouble)
    }
    return { count: all.reduce((s, r) => s + r.count, 0), byUrl, byTrouble }
  }

  async stats(): Promise<MergedStats> {
    const all = await this.all<Stats>(() => ({ cmd: 'stats' }))
    const closes: Record<string, number> = {}
    for (const s of all)
      for (const [code, n] of Object.entries(s.unexpectedCloses))
        closes[code] = (closes[code] ?? 0) + n
    const firsts = all.map((s) => s.firstDeliveryUs).filter((t) => t > 0)
    const withClients = all.filter((s) => s.clients > 0)
    return {
      clients: all.reduce((s, r) => s + r.clients, 0),
      open: all.reduce((s, r) => s + r.open, 0),
      unique: all.reduce((s, r) => s + r.unique, 0),
      dupes: all.reduce((s, r) => s + r.dupes, 0),
      stale: all.reduce((s, r) => s + r.stale, 0),
      outOfOrder: all.reduce((s, r) => s + r.outOfOrder, 0),
      firstDeliveryUs: firsts.length ? Math.min(...firsts) : 0,
      lastDeliveryUs: Math.max(0, ...all.map((s) => s.lastDeliveryUs)),
      latency: LatencyHistogram.fromSnapshots(all.map((s) => s.latency)),
      unexpectedCloses: closes,
      minPerClient: withClients.length ? Math.min(...withClients.map((s) => s.minPerClient)) : 0,
    }
  }

  /** Polls until `expected` unique deliveries arrived, or no progress for `quietMs`, or `maxMs`. */
  async drain(expected: number, quietMs: number, maxMs: number): Promise<MergedStats> {
    const deadline = performance.now() + maxMs
    let last = await this.stats()
    let lastChange = performance.now()
    while (last.unique < expected && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      const now = await this.stats()
      if (now.unique !== last.unique) lastChange = performance.now()
      last = now
      if (performance.now() - lastChange > quietMs) break
    }
    return last
  }

  async drop(): Promise<void> {
    await this.all(() => ({ cmd: 'drop' }))
  }

  async reconnect(expectPerClient: number, timeoutMs: number, retries = 0) {
    const results = await this.all<ReconnectResult>(() => ({
      cmd: 'reconnect',
      expectPerClient,
      timeoutMs,
      ...(retries > 0 ? { retries } : {}),
    }))
    const firstError = results.find((r) => r.firstError)?.firstError
    const incomplete = results.reduce((s, r) => s + r.incomplete, 0)
    return {
      reconnected: results.reduce((s, r) => s + r.reconnected, 0),
      failed: results.reduce((s, r) => s + r.failed, 0),
      retried: results.reduce((s, r) => s + (r.retried ?? 0), 0),
      ...(firstError ? { firstError } : {}),
      incomplete,
      allDoneUs: incomplete > 0 ? 0 : Math.max(...results.map((r) => r.allDoneUs)),
    }
  }

  async closeAll(): Promise<void> {
    await this.all(() => ({ cmd: 'closeAll' }))
    this.held.fill(0)
  }

  async stop(): Promise<void> {
    await this.closeAll().catch(() => {})
    for (const w of this.workers) w.disconnect()
  }
}
