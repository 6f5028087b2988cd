/**
 * The faults a chaos run injects, each bounded in time and healed by itself: kill -9 and restart,
 * Redis black-holed or paused, PostgreSQL backends terminated or connections refused, a reader
 * that stops reading, a reconnect storm. All on loopback, all aimed at this run's nodes only.
 */
import pg from 'pg'
import type { ChaosClient } from './chaos-client.js'
import type { NodeSet } from './nodes.js'
import type { Rng } from './rng.js'
import { kernelQueuedBytes } from './tcp-queues.js'

export type Mode = 'sqlite' | 'cluster'

export interface FaultContext {
  readonly nodes: NodeSet
  /** Every client of the run (the storm drops them all). */
  readonly clients: readonly ChaosClient[]
  /** The reader that stalls, the client that floods its room, and that room. */
  readonly stall: {
    readonly reader: ChaosClient
    readonly flooder: ChaosClient
    readonly room: string
  }
  readonly rng: Rng
  /** PostgreSQL reached directly (not through a node's proxy), for pg_terminate_backend. */
  readonly pgUrl: string | undefined
}

export interface Injected {
  /** What was done, for the report. */
  readonly note: string
  /** Asked once the run has recovered: an expectation the fault broke, if any. */
  readonly problem?: () => string | undefined
}

export interface Fault {
  readonly name: string
  readonly modes: readonly Mode[]
  /** Injects, holds for `holdMs`, heals; resolves when healed. */
  run(ctx: FaultContext, holdMs: number): Promise<Injected>
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function pickNode(ctx: FaultContext): number {
  return ctx.rng.int(0, ctx.nodes.nodes.length - 1)
}

function proxyOf(ctx: FaultContext, index: number, kind: 'pgProxy' | 'redisProxy') {
  const proxy = ctx.nodes.nodes[index]?.[kind]
  if (!proxy) throw new Error(`node ${index} has no ${kind}: cluster faults need cluster mode`)
  return proxy
}

const kill9: Fault = {
  name: 'kill -9 + restart',
  modes: ['sqlite', 'cluster'],
  async run(ctx, holdMs) {
    const index = pickNode(ctx)
    await ctx.nodes.kill9(index)
    await sleep(holdMs)
    const started = performance.now()
    await ctx.nodes.restart(index)
    return {
      note: `node ${index} down ${holdMs} ms, restart ${Math.round(performance.now() - started)} ms`,
    }
  },
}

const redisBlackhole: Fault = {
  name: 'Redis blackholed',
  modes: ['cluster'],
  async run(ctx, holdMs) {
    const index = pickNode(ctx)
    const proxy = proxyOf(ctx, index, 'redisProxy')
    proxy.blackhole()
    await sleep(holdMs)
    // Bytes were dropped mid-stream, so the connections cannot carry on: reset them, as the
    // kernel would once its retransmissions give up.
    proxy.cut()
    proxy.thaw()
    return { note: `node ${index}, ${holdMs} ms` }
  },
}

const redisPause: Fault = {
  name: 'Redis paused',
  modes: ['cluster'],
  async run(ctx, holdMs) {
    const index = pickNode(ctx)
    const proxy = proxyOf(ctx, index, 'redisProxy')
    proxy.freeze()
    await sleep(holdMs)
    proxy.thaw()
    return { note: `node ${index}, ${holdMs} ms` }
  },
}

const pgTerminate: Fault = {
  name: 'PostgreSQL backends terminated',
  modes: ['cluster'],
  async run(ctx, holdMs) {
    const index = pickNode(ctx)
    const proxy = proxyOf(ctx, index, 'pgProxy')
    if (!ctx.pgUrl) throw new Error('pg-terminate needs the PostgreSQL URL')
    const admin = new pg.Client({ connectionString: ctx.pgUrl })
    await admin.connect()
    let terminated = 0
    try {
      // The node's backends are the ones connected from its proxy's ports: no other run's are hit.
      const until = performance.now() + holdMs
      do {
        const result = await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where client_port = any($1::int[]) and pid <> pg_backend_pid()`,
          [proxy.upstreamPorts()],
        )
        for (const row of result.rows) {
          await admin.query('select pg_terminate_backend($1)', [row.pid])
          terminated += 1
        }
        await sleep(400)
      } while (performance.now() < until)
    } finally {
      await admin.end()
    }
    return { note: `node ${index}, ${terminated} backends over ${holdMs} ms` }
  },
}

const pgRefuse: Fault = {
  name: 'PostgreSQL refusing connections',
  modes: ['cluster'],
  async run(ctx, holdMs) {
    const index = pickNode(ctx)
    const proxy = proxyOf(ctx, index, 'pgProxy')
    proxy.down()
    await sleep(holdMs)
    proxy.restore()
    return { note: `node ${index}, ${holdMs} ms` }
  },
}

/** The flood's messages are large (run-mode.ts raises MAX_TEXT_CHARS) so it takes few appends. */
export const FLOOD_TEXT_CHARS = 60_000
const FLOOD_MAX_MESSAGES = 400
/** Bytes the server must hold for the reader beyond the kernel's before it closes it. */
export const STALL_SERVER_BUFFER_BYTES = 256 * 1024
const STALL_MARGIN_BYTES = 768 * 1024
const STALL_TIMEOUT_MS = 30_000

/**
 * A reader that reads nothing while its room is flooded. The server writes until the kernel's
 * buffers for that connection are full (their size varies: a few MB on loopback), then keeps the
 * rest itself and closes the reader with 1013 once that passes STALL_SERVER_BUFFER_BYTES. The
 * reader must read again within the server's close grace (5 s) to receive its close frame, so it
 * watches the kernel's queues (/proc/net/tcp) to resume soon after the overflow.
 */
const stalledReader: Fault = {
  name: 'stalled reader',
  modes: ['sqlite', 'cluster'],
  async run(ctx) {
    const { reader, flooder, room } = ctx.stall
    // On a fresh connection: one that has just read megabytes at full speed has kernel buffers
    // autotuned so large (tcp_rmem allows 32 MiB) that a modest flood would not overflow them.
    reader.drop()
    const joinBy = performance.now() + STALL_TIMEOUT_MS
    while ((!reader.ready || !reader.ports()) && performance.now() < joinBy) await sleep(20)
    const ports = reader.ports()
    const before = reader.closeCodes.get(1013) ?? 0
    const started = performance.now()
    const resume = reader.pauseReading()
    const received = (): number => flooder.deliveries.get(room)?.length ?? 0
    const base = received()
    const text = 'x'.repeat(FLOOD_TEXT_CHARS)
    let sent = 0
    let overflow = 0
    // Written to the reader ≈ what the flooder, a reader that does read, has received.
    const written = (): number => (received() - base) * (FLOOD_TEXT_CHARS + 200)
    while (performance.now() < started + STALL_TIMEOUT_MS && sent < FLOOD_MAX_MESSAGES) {
      const queued = ports ? kernelQueuedBytes(ports.local, ports.remote) : undefined
      if (queued === undefined) break
      overflow = written() - queued
      // Past the server's limit by a margin (the estimate is rough, and the server checks its
      // buffer only when it writes again): it has closed the reader.
      if (overflow > STALL_SERVER_BUFFER_BYTES + STALL_MARGIN_BYTES) break
      while (flooder.pendingCount < 4 && sent < FLOOD_MAX_MESSAGES) {
        if (flooder.send(room, `${sent} ${text}`)) sent += 1
      }
      await sleep(20)
    }
    resume()
    const stalledMs = Math.round(performance.now() - started)
    const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
    return {
      note: `${sent} messages (${mb(written())}) while not reading for ${stalledMs} ms`,
      // The close frame waits behind the unread bytes, so it is read only after the stall.
      problem: () =>
        (reader.closeCodes.get(1013) ?? 0) > before
          ? undefined
          : `the stalled reader was not closed with 1013 (${ports ? `server held ~${mb(overflow)}` : 'no connection'})`,
    }
  },
}

const reconnectStorm: Fault = {
  name: 'reconnect storm',
  modes: ['sqlite', 'cluster'],
  run(ctx) {
    for (const client of ctx.clients) client.drop()
    return Promise.resolve({ note: `${ctx.clients.length} clients dropped at once` })
  },
}

export const FAULTS: readonly Fault[] = [
  kill9,
  redisBlackhole,
  redisPause,
  pgTerminate,
  pgRefuse,
  stalledReader,
  reconnectStorm,
]

/** Short names for --faults and the test. */
export const FAULT_KEYS: Readonly<Record<string, Fault>> = {
  kill: kill9,
  'redis-blackhole': redisBlackhole,
  'redis-pause': redisPause,
  'pg-terminate': pgTerminate,
  'pg-refuse': pgRefuse,
  stall: stalledReader,
  storm: reconnectStorm,
}
