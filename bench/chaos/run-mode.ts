/**
 * One chaos run in one mode: start the nodes and clients, keep a steady send load while faults
 * are injected one after another, measure each fault's time to recover, drain, then audit.
 */
import { ChaosClient } from './chaos-client.js'
import {
  FAULTS,
  FLOOD_TEXT_CHARS,
  STALL_SERVER_BUFFER_BYTES,
  type Fault,
  type FaultContext,
  type Mode,
} from './faults.js'
import { startNodes, type ClusterTarget, type NodeEntry, type NodeSet } from './nodes.js'
import { seededRng, type Rng } from './rng.js'
import { readHistory, registerUser, createRoom } from './http.js'
import { audit, type Audit, type FaultWindow, type SubscriberLog } from './verify.js'

export interface ModeOptions {
  readonly mode: Mode
  readonly durationMs: number
  readonly clients: number
  readonly seed: number
  readonly entry: NodeEntry
  /** Default: every fault the mode supports, in a seeded order. */
  readonly faults?: readonly Fault[]
  /** Stop injecting a fault after this many times (default 6); the run ends when all are done. */
  readonly maxPerFault?: number
  /** Each fault is held for a seeded time in this range. */
  readonly holdMs?: readonly [number, number]
  /** Sends per second per client. */
  readonly rate?: number
  /** Required in cluster mode. */
  readonly cluster?: ClusterTarget
  readonly log?: (line: string) => void
}

export interface FaultRecord {
  readonly fault: string
  readonly note: string
  /** An expectation of the fault itself that failed (e.g. no 1013 for a stalled reader). */
  readonly problem: string | undefined
  /** ms from heal until everything sent before it was acked and delivered everywhere */
  readonly recoverMs: number | undefined
  /** ms from injection until recovered: the whole disruption */
  readonly windowMs: number | undefined
}

export interface ModeResult {
  readonly mode: Mode
  readonly audit: Audit
  readonly faults: readonly FaultRecord[]
  readonly elapsedMs: number
  readonly sessions: number
  /** Connections dropped during the drain or left unacked at the end: the run did not settle. */
  readonly unsettled: string | undefined
}

const ROOMS = ['lobby', 'chaos-2'] as const
const FLOOD_ROOM = 'chaos-flood'
const RECOVERY_TIMEOUT_MS = 60_000
const TICK_MS = 50
const MAX_PER_FAULT = 6
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function runMode(options: ModeOptions): Promise<ModeResult> {
  const log = options.log ?? (() => {})
  const rng = seededRng(options.seed)
  const origin = performance.now()
  const now = (): number => performance.now() - origin
  const nodes = await startNodes({
    count: options.mode === 'cluster' ? 2 : 1,
    entry: options.entry,
    // A quarter of the default buffer, and room for the stalled reader's flood of large messages.
    env: {
      MAX_SOCKET_BUFFER_BYTES: String(STALL_SERVER_BUFFER_BYTES),
      MAX_TEXT_CHARS: String(FLOOD_TEXT_CHARS + 100),
    },
    ...(options.mode === 'cluster' && options.cluster ? { cluster: options.cluster } : {}),
  })
  const clients: ChaosClient[] = []
  try {
    const first = nodes.nodes[0]
    if (!first) throw new Error('no node')
    const urls = (): string[] => nodes.nodes.map((n) => n.wsUrl)
    const owner = await registerUser(first.url, `chaos${options.seed}_owner`)
    for (const room of [ROOMS[1], FLOOD_ROOM]) await createRoom(first.url, owner.token, room)
    const make = async (name: string, rooms: readonly string[], maxInFlight = 20) => {
      const user = await registerUser(first.url, `chaos${options.seed}_${name}`)
      const client = new ChaosClient({
        name,
        token: user.token,
        rooms,
        urls,
        rng,
        now,
        maxInFlight,
      })
      return { client, user: user.username }
    }
    const users = new Map<ChaosClient, string>()
    for (let i = 0; i < options.clients; i++) {
      const { client, user } = await make(`c${i}`, ROOMS)
      clients.push(client)
      users.set(client, user)
    }
    const reader = await make('stall-reader', [FLOOD_ROOM])
    const flooder = await make('flooder', [FLOOD_ROOM], 2_000)
    for (const extra of [reader, flooder]) {
      clients.push(extra.client)
      users.set(extra.client, extra.user)
    }
    await Promise.all(clients.map((c) => c.start()))
    log(`${options.mode}: ${nodes.nodes.length} node(s), ${clients.length} clients joined`)

    const steady = clients.slice(0, options.clients)
    const perTick = ((options.rate ?? 4) * TICK_MS) / 1_000
    let sending = true
    const load = setInterval(() => {
      for (const c of clients) c.retryDue()
      if (!sending) return
      for (const c of steady) if (rng.next() < perTick) c.send(rng.pick(ROOMS))
    }, TICK_MS)

    const ctx: FaultContext = {
      nodes,
      clients,
      stall: { reader: reader.client, flooder: flooder.client, room: FLOOD_ROOM },
      rng,
      pgUrl: options.cluster?.pgUrl,
    }
    const records: FaultRecord[] = []
    const windows: FaultWindow[] = []
    try {
      await injectFaults(options, ctx, rng, now, clients, records, windows, log)
    } finally {
      sending = false
    }
    const fences: Array<[ChaosClient, string]> = [
      ...ROOMS.map((room): [ChaosClient, string] => [steady[0] ?? flooder.client, room]),
      [flooder.client, FLOOD_ROOM],
    ]
    const unsettled = await drain(clients, fences, now, log)
    clearInterval(load)
    log(`${options.mode}: drained, auditing`)

    const stored = new Map<string, Awaited<ReturnType<typeof readHistory>>>()
    const alive = nodes.nodes.find((n) => n.alive) ?? first
    for (const room of [...ROOMS, FLOOD_ROOM])
      stored.set(room, await readHistory(alive.url, owner.token, room))
    const subscribers: SubscriberLog[] = clients.flatMap((c) =>
      c.rooms.map((room) => ({
        client: c.name,
        room,
        baseline: c.baseline.get(room) ?? 0,
        deliveries: c.deliveries.get(room) ?? [],
      })),
    )
    const result = audit({
      stored,
      acks: clients.flatMap((c) => c.acks.map((a) => ({ ...a, user: users.get(c) ?? '' }))),
      subscribers,
      windows,
      ackConflicts: clients.reduce((n, c) => n + c.ackConflicts.length, 0),
    })
    return {
      mode: options.mode,
      audit: result,
      faults: records,
      elapsedMs: now(),
      sessions: clients.reduce((n, c) => n + c.sessions, 0),
      unsettled,
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()))
    await closeQuietly(nodes, log)
  }
}

async function injectFaults(
  options: ModeOptions,
  ctx: FaultContext,
  rng: Rng,
  now: () => number,
  clients: readonly ChaosClient[],
  records: FaultRecord[],
  windows: FaultWindow[],
  log: (line: string) => void,
): Promise<void> {
  const chosen = (options.faults ?? FAULTS).filter((f) => f.modes.includes(options.mode))
  const order = [...chosen].sort(() => rng.next() - 0.5)
  const [holdMin, holdMax] = options.holdMs ?? [1_500, 4_000]
  const counts = new Map<Fault, number>()
  const end = now() + options.durationMs
  for (let i = 0; now() < end; i++) {
    const fault = order[i % order.length]
    if (!fault || (counts.get(fault) ?? 0) >= (options.maxPerFault ?? MAX_PER_FAULT)) break
    counts.set(fault, (counts.get(fault) ?? 0) + 1)
    await sleep(rng.int(1_000, 2_500))
    const start = now()
    log(`  … ${fault.name}`)
    const injected = await fault.run(ctx, rng.int(holdMin, holdMax))
    const healed = now()
    const recoverMs = await awaitRecovery(clients, healed, now)
    windows.push({ fault: fault.name, start, end: now() })
    const problem = injected.problem?.()
    const windowMs = recoverMs === undefined ? undefined : now() - start
    records.push({ fault: fault.name, note: injected.note, problem, recoverMs, windowMs })
    const ttr =
      recoverMs === undefined ? 'did not recover' : `recovered in ${Math.round(recoverMs)} ms`
    log(`  ${fault.name}: ${injected.note}; ${ttr}${problem ? `; ${problem}` : ''}`)
  }
}

/**
 * Recovered when every client is connected and joined, every send made before the heal is
 * acked, and every subscriber has seen the highest seq acked by then in each of its rooms.
 */
async function awaitRecovery(
  clients: readonly ChaosClient[],
  healed: number,
  now: () => number,
): Promise<number | undefined> {
  const deadline = healed + RECOVERY_TIMEOUT_MS
  let targets: Map<string, number> | undefined
  while (now() < deadline) {
    if (!targets && clients.every((c) => c.ready && c.pendingSince(healed) === 0)) {
      targets = new Map()
      for (const c of clients)
        for (const a of c.acks) targets.set(a.room, Math.max(targets.get(a.room) ?? 0, a.seq))
    }
    const caughtUp = (t: Map<string, number>): boolean =>
      clients.every((c) => c.ready && c.rooms.every((r) => c.last(r) >= (t.get(r) ?? 0)))
    if (targets && caughtUp(targets)) return now() - healed
    await sleep(20)
  }
  stuck(clients, healed, targets)
  return undefined
}

/** Says on stderr who kept a recovery from completing, for whoever reads a failed run. */
function stuck(
  clients: readonly ChaosClient[],
  healed: number,
  targets: ReadonlyMap<string, number> | undefined,
): void {
  const why = clients
    .map((c) => {
      const behind = c.rooms
        .filter((r) => targets && c.last(r) < (targets.get(r) ?? 0))
        .map((r) => `${r} at ${c.last(r)}/${targets?.get(r)}`)
      const parts = [
        c.ready ? '' : 'not joined',
        c.pendingSince(healed) > 0 ? `${c.pendingSince(healed)} unacked` : '',
        ...behind,
      ].filter(Boolean)
      return parts.length > 0 ? `${c.name}: ${parts.join(', ')}` : ''
    })
    .filter(Boolean)
  console.error(`  not recovered: ${why.join('; ') || 'no client is behind'}`)
}

/** No new sends: wait for every pending send to be acked and every subscriber to reach the head. */
async function drain(
  clients: readonly ChaosClient[],
  fences: ReadonlyArray<readonly [ChaosClient, string]>,
  now: () => number,
  log: (line: string) => void,
): Promise<string | undefined> {
  const deadline = now() + RECOVERY_TIMEOUT_MS
  while (clients.some((c) => c.pendingCount > 0) && now() < deadline) await sleep(20)
  // One last message per room, as any live chat has: the server repairs a subscriber's missed
  // tail when the next message reveals the gap, so a run must not end on an unrevealed gap.
  for (const [client, room] of fences) client.send(room, `fence ${room}`)
  const recovered = await awaitRecovery(clients, now() + 1, now)
  if (recovered !== undefined) return undefined
  const pending = clients.reduce((n, c) => n + c.pendingCount, 0)
  const notReady = clients.filter((c) => !c.ready).map((c) => c.name)
  const why = `${pending} sends unacked, not joined: ${notReady.join(', ') || 'none'}`
  log(`  drain did not settle: ${why}`)
  return why
}

async function closeQuietly(nodes: NodeSet, log: (line: string) => void): Promise<void> {
  try {
    await nodes.close()
  } catch (error) {
    log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}
