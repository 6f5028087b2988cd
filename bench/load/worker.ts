/**
 * One load-generator process: holds N client connections and obeys bench/load/pool.ts over IPC
 * (commands in ./messages.ts). Counts every stamped delivery by (phase, origin worker, number)
 * per client, so loss and duplicates are exact, and records latency from the stamped send time.
 */
import { appendFileSync } from 'node:fs'
import WebSocket from 'ws'
import { LatencyHistogram } from '../metrics/histogram.js'
import { PROTOCOLS } from './clients/index.js'
import type { ClientProtocol } from './clients/protocol.js'
import type {
  ConnectCommand,
  ConnectResult,
  DurableCommand,
  DurableResult,
  MissingResult,
  ReconnectResult,
  SendCommand,
  SendResult,
  Stats,
  WorkerCommand,
  WorkerReply,
} from './messages.js'
import { kindOf, REACTION_EMOJI, stampCid, type ChangeMix, type SendKind } from './changes.js'
import { DEFAULT_PADDING, decodePayload, encodePayload, nowUs, type Stamp } from './payload.js'

const ORIGIN = Number(process.env['BENCH_WORKER_INDEX'] ?? '0')
const READY_TIMEOUT_MS = 30_000

interface AckWaiter {
  readonly sentUs: number
  readonly client: LoadClient
  readonly kind: SendKind
}

/** Everything counted in the current phase. */
const state = {
  phase: -1,
  nextN: 0,
  latency: new LatencyHistogram(),
  unique: 0,
  dupes: 0,
  stale: 0,
  outOfOrder: 0,
  firstDeliveryUs: 0,
  lastDeliveryUs: 0,
  unexpectedCloses: {} as Record<string, number>,
  expectPerClient: 0,
  pendingAcks: new Map<string, AckWaiter>(),
  acked: 0,
  /** Of `acked`: edits and reactions. */
  ackedChanges: 0,
  sendErrors: 0,
  firstSendError: undefined as string | undefined,
  /** Called after an ack or a refused send frees a slot (durable sends keep their window full). */
  onSlotFree: undefined as ((client: LoadClient) => void) | undefined,
}

class LoadClient {
  ws: WebSocket | undefined
  ready = false
  lastSeq: number | undefined
  /** The seq of this client's last acked message: what its edits and reactions change. */
  ownSeq: number | undefined
  closingOnPurpose = false
  /** The start of the last error or `left` frame the server sent once joined (for `missing`). */
  lastTrouble: string | undefined
  phaseCount = 0
  doneAtUs = 0
  private seen: (Uint8Array | undefined)[] = []
  private seenPhase = -1
  /** The highest seq among this phase's new deliveries (Eddy): the next must be above it. */
  private phaseSeq = 0

  constructor(
    readonly protocol: ClientProtocol,
    readonly trackSeq: boolean,
    readonly url: string,
    readonly room: string,
    readonly token: string | undefined,
    readonly address: string,
  ) {}

  connect(since: number | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        localAddress: this.address,
        headers: this.protocol.headers(this.token),
        perMessageDeflate: false,
        handshakeTimeout: READY_TIMEOUT_MS,
      })
      this.ws = ws
      this.ready = false
      this.closingOnPurpose = false
      let settled = false
      const reply = (data: string): void => ws.send(data)
      const fail = (why: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.closingOnPurpose = true
        ws.terminate()
        reject(new Error(why))
      }
      const becomeReady = (): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.ready = true
        resolve()
      }
      const timer = setTimeout(() => fail('not ready in time'), READY_TIMEOUT_MS)
      ws.on('open', () => {
        for (const frame of this.protocol.opening(this.room, since)) ws.send(frame)
        if (this.protocol.readyOnOpen) becomeReady()
      })
      ws.on('message', (data) => {
        const at = nowUs()
        const frame = (data as Buffer).toString()
        // An edit's or reaction's ack echoes its stamped cid: an answer, not a delivery.
        const stamp =
          frame.includes('~B') &&
          !frame.startsWith('{"type":"ack"') &&
          !frame.startsWith('{"type":"error"')
            ? decodePayload(frame)
            : undefined
        if (stamp) return this.onDelivery(stamp, frame, at)
        if (!this.ready) {
          const step = this.protocol.handshake(frame, reply)
          if (step === 'ready') {
            if (this.trackSeq && this.lastSeq === undefined) this.lastSeq = seqIn(frame)
            becomeReady()
          } else if (step !== 'continue') fail(step.error)
          return
        }
        this.protocol.control(frame, reply)
        if (frame.startsWith('{"type":"error"') || frame.startsWith('{"type":"left"'))
          this.lastTrouble = frame.slice(0, 120)
        if (this.trackSeq) this.onEddyControl(frame, at)
      })
      ws.on('unexpected-response', (req, res) => {
        req.destroy()
        fail(`HTTP ${res.statusCode ?? '?'} on upgrade`)
      })
      ws.on('error', (error) => fail(error.message))
      ws.on('close', (code) => {
        this.ready = false
        if (!settled) fail(`closed ${code} before ready`)
        else if (!this.closingOnPurpose) {
          state.unexpectedCloses[code] = (state.unexpectedCloses[code] ?? 0) + 1
        }
      })
    })
  }

  send(frame: string): void {
    this.ws?.send(frame)
  }

  drop(): Promise<void> {
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    this.closingOnPurpose = true
    return new Promise((resolve) => {
      ws.once('close', () => resolve())
      ws.terminate()
    })
  }

  private onDelivery(stamp: Stamp, frame: string, at: number): void {
    const seq = this.trackSeq ? (seqIn(frame) ?? 0) : 0
    if (this.trackSeq) this.lastSeq = Math.max(this.lastSeq ?? 0, seq)
    if (stamp.phase !== state.phase) {
      state.stale++
      return
    }
    if (!this.markSeen(stamp.origin, stamp.n)) {
      state.dupes++
      return
    }
    // A room's log is delivered in seq order, live or resumed: a new one below the last is a bug.
    if (this.trackSeq) {
      if (seq < this.phaseSeq) state.outOfOrder++
      else this.phaseSeq = seq
    }
    state.unique++
    state.latency.record(at - stamp.sentAtUs)
    if (TRACE_FILE) trace.push(`${state.phase} ${stamp.sentAtUs} ${at - stamp.sentAtUs}\n`)
    if (state.firstDeliveryUs === 0) state.firstDeliveryUs = at
    state.lastDeliveryUs = at
    this.phaseCount++
    if (state.expectPerClient > 0 && this.phaseCount === state.expectPerClient) this.doneAtUs = at
  }

  private onEddyControl(frame: string, at: number): void {
    const isAck = frame.includes('"type":"ack"')
    const isError = !isAck && frame.includes('"type":"error"')
    if (!isAck && !isError) return
    const parsed = JSON.parse(frame) as {
      cid?: string
      seq?: number
      code?: string
      message?: string
    }
    if (isError) {
      state.sendErrors++
      state.firstSendError ??= `${parsed.code}: ${parsed.message}`
    }
    if (parsed.cid === undefined) return
    const waiter = state.pendingAcks.get(parsed.cid)
    if (!waiter) return
    state.pendingAcks.delete(parsed.cid)
    if (isAck) {
      state.acked++
      if (waiter.kind === 'message') waiter.client.ownSeq = parsed.seq
      else state.ackedChanges++
      ackLatency.record(at - waiter.sentUs)
    }
    state.onSlotFree?.(waiter.client)
  }

  /** Marks (origin, n) seen in the current phase; false when it already was (a duplicate). */
  private markSeen(origin: number, n: number): boolean {
    if (this.seenPhase !== state.phase) {
      this.seen = []
      this.seenPhase = state.phase
      this.phaseSeq = 0
      this.phaseCount = 0
      this.doneAtUs = 0
    }
    let bits = this.seen[origin]
    const byte = n >> 3
    if (!bits || bits.length <= byte) {
      const grown = new Uint8Array(Math.max(64, (byte + 1) * 2))
      if (bits) grown.set(bits)
      bits = grown
      this.seen[origin] = bits
    }
    const mask = 1 << (n & 7)
    if (bits[byte]! & mask) return false
    bits[byte] = bits[byte]! | mask
    return true
  }

  countInPhase(): number {
    return this.seenPhase === state.phase ? this.phaseCount : 0
  }
}

let ackLatency = new LatencyHistogram()
const clients: LoadClient[] = []

function seqIn(frame: string): number | undefined {
  const at = frame.indexOf('"seq":')
  if (at < 0) return undefined
  const seq = parseInt(frame.slice(at + 6, at + 26), 10)
  return Number.isFinite(seq) ? seq : undefined
}

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!)
  })
  await Promise.all(lanes)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > deadline) return false
    await sleep(20)
  }
  return true
}

/**
 * Connects, retrying up to `retries` times with the web client's backoff (web/src/backoff.ts:
 * full jitter, base 300 ms, at most 10 s, never under 150 ms).
 */
async function connectRetrying(
  client: LoadClient,
  since: number | undefined,
  retries: number,
  onRetry: () => void,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.connect(since)
    } catch (error) {
      if (attempt >= retries) throw error
      onRetry()
      const ceiling = Math.min(10_000, 300 * 2 ** Math.min(attempt, 20))
      await sleep(150 + Math.random() * (ceiling - 150))
    }
  }
}

async function connect(cmd: ConnectCommand): Promise<ConnectResult> {
  const protocol = PROTOCOLS[cmd.kind]
  const fresh: LoadClient[] = []
  for (let k = 0; k < cmd.count; k++) {
    const g = cmd.startIndex + k
    fresh.push(
      new LoadClient(
        protocol,
        cmd.kind === 'eddy',
        (cmd.baseUrls && cmd.baseUrls.length > 0
          ? cmd.baseUrls[g % cmd.baseUrls.length]!
          : cmd.baseUrl) + protocol.path,
        cmd.rooms[g % cmd.rooms.length]!,
        cmd.tokens.length > 0 ? cmd.tokens[g % cmd.tokens.length] : undefined,
        cmd.addresses[g % cmd.addresses.length]!,
      ),
    )
  }
  let failed = 0
  let retried = 0
  let firstError: string | undefined
  await runLimited(fresh, cmd.concurrency, async (client) => {
    try {
      await connectRetrying(client, undefined, cmd.retries ?? 0, () => retried++)
      clients.push(client)
    } catch (error) {
      failed++
      firstError ??= (error as Error).message
    }
  })
  return {
    connected: fresh.length - failed,
    failed,
    ...(retried > 0 ? { retried } : {}),
    ...(firstError ? { firstError } : {}),
  }
}

function sendStamped(client: LoadClient, phase: number, trackAck: boolean, mix?: ChangeMix): void {
  const n = state.nextN++
  const sentAtUs = nowUs()
  const stamp = { phase, origin: ORIGIN, n, sentAtUs }
  const target = client.ownSeq
  const { encodeEdit, encodeReact } = client.protocol
  // A change needs a message of this client's to change; until its first ack it sends messages.
  const kind = target === undefined ? 'message' : kindOf(n, mix)
  if (kind !== 'message' && target !== undefined && encodeEdit && encodeReact) {
    const cid = stampCid(stamp)
    if (trackAck) state.pendingAcks.set(cid, { sentUs: sentAtUs, client, kind })
    client.send(
      kind === 'edit'
        ? encodeEdit(client.room, target, `edited ${DEFAULT_PADDING} ${n}`, cid)
        : encodeReact(client.room, target, REACTION_EMOJI[n % REACTION_EMOJI.length]!, cid),
    )
    return
  }
  const text = encodePayload(stamp, DEFAULT_PADDING)
  const cid = `${ORIGIN}.${phase}.${n}`
  if (trackAck) state.pendingAcks.set(cid, { sentUs: sentAtUs, client, kind: 'message' })
  client.send(client.protocol.encodeSend(client.room, text, cid))
}

async function send(cmd: SendCommand): Promise<SendResult> {
  const senders = clients.filter((c) => c.ready).slice(0, cmd.senders)
  const total = cmd.maxMessages ?? Math.round((cmd.ratePerS * cmd.durationMs) / 1000)
  if (senders.length === 0 || total <= 0) return { sent: 0, acked: 0, errors: 0 }
  const ackedBefore = state.acked
  const errorsBefore = state.sendErrors
  let sent = 0
  let turn = 0
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((cmd.ratePerS * (performance.now() - t0)) / 1000) + 1)
      while (sent < due) {
        sendStamped(senders[turn++ % senders.length]!, cmd.phase, cmd.awaitAcks === true)
        sent++
      }
      if (sent >= total) resolve()
      else setTimeout(tick, 2)
    }
    tick()
  })
  if (cmd.awaitAcks) {
    const answered = () => state.acked - ackedBefore + (state.sendErrors - errorsBefore)
    await waitFor(() => answered() >= sent, cmd.ackTimeoutMs ?? 15_000)
  }
  return {
    sent,
    acked: state.acked - ackedBefore,
    errors: state.sendErrors - errorsBefore,
    ...(state.firstSendError ? { firstError: state.firstSendError } : {}),
  }
}

async function durable(cmd: DurableCommand): Promise<DurableResult> {
  const senders = clients.filter((c) => c.ready)
  ackLatency = new LatencyHistogram()
  const ackedBefore = state.acked
  const changesBefore = state.ackedChanges
  const errorsBefore = state.sendErrors
  let running = true
  state.onSlotFree = (client) => {
    if (running && client.ready) sendStamped(client, cmd.phase, true, cmd.mix)
  }
  for (const client of senders)
    for (let i = 0; i < cmd.window; i++) sendStamped(client, cmd.phase, true, cmd.mix)
  await sleep(cmd.durationMs)
  running = false
  const acked = state.acked - ackedBefore
  const ackedChanges = state.ackedChanges - changesBefore
  await waitFor(() => state.pendingAcks.size === 0, 10_000)
  state.onSlotFree = undefined
  state.pendingAcks.clear()
  return {
    acked,
    ackedChanges,
    errors: state.sendErrors - errorsBefore,
    ...(state.firstSendError ? { firstError: state.firstSendError } : {}),
    ackLatency: ackLatency.snapshot(),
  }
}

/**
 * BENCH_LATENCY_TRACE=FILE: every delivery's send time and latency (µs), appended per phase, to
 * see when in a run the slow deliveries happened (a debugging aid; figures never use it).
 */
const TRACE_FILE = process.env['BENCH_LATENCY_TRACE']
let trace: string[] = []

function setPhase(phase: number): void {
  if (TRACE_FILE && trace.length > 0) appendFileSync(TRACE_FILE, trace.join(''))
  trace = []
  state.phase = phase
  state.nextN = 0
  state.latency = new LatencyHistogram()
  state.unique = 0
  state.dupes = 0
  state.stale = 0
  state.outOfOrder = 0
  state.firstDeliveryUs = 0
  state.lastDeliveryUs = 0
  state.unexpectedCloses = {}
  state.expectPerClient = 0
  state.firstSendError = undefined
}

function stats(): Stats {
  let open = 0
  let minPerClient = Infinity
  for (const c of clients) {
    if (c.ready) open++
    minPerClient = Math.min(minPerClient, c.countInPhase())
  }
  return {
    clients: clients.length,
    open,
    unique: state.unique,
    dupes: state.dupes,
    stale: state.stale,
    outOfOrder: state.outOfOrder,
    firstDeliveryUs: state.firstDeliveryUs,
    lastDeliveryUs: state.lastDeliveryUs,
    latency: state.latency.snapshot(),
    unexpectedCloses: state.unexpectedCloses,
    minPerClient: clients.length === 0 ? 0 : minPerClient,
  }
}

async function reconnect(
  expectPerClient: number,
  timeoutMs: number,
  retries: number,
): Promise<ReconnectResult> {
  state.expectPerClient = expectPerClient
  let failed = 0
  let retried = 0
  let firstError: string | undefined
  // All at once: the storm is the point.
  await Promise.all(
    clients.map(async (client) => {
      try {
        await connectRetrying(client, client.lastSeq ?? 0, retries, () => retried++)
      } catch (error) {
        failed++
        firstError ??= (error as Error).message
      }
    }),
  )
  await waitFor(() => clients.every((c) => c.countInPhase() >= expectPerClient), timeoutMs)
  const incomplete = clients.filter((c) => c.countInPhase() < expectPerClient).length
  const allDoneUs = incomplete > 0 ? 0 : Math.max(0, ...clients.map((c) => c.doneAtUs))
  return {
    reconnected: clients.length - failed,
    failed,
    ...(retried > 0 ? { retried } : {}),
    ...(firstError ? { firstError } : {}),
    allDoneUs,
    incomplete,
  }
}

function missing(expectPerClient: number): MissingResult {
  const byUrl: Record<string, number> = {}
  const byTrouble: Record<string, number> = {}
  let count = 0
  for (const c of clients) {
    if (c.countInPhase() >= expectPerClient) continue
    count++
    byUrl[c.url] = (byUrl[c.url] ?? 0) + 1
    const trouble = `${c.ready ? 'open' : 'closed'}: ${c.lastTrouble ?? 'no error or left frame'}`
    byTrouble[trouble] = (byTrouble[trouble] ?? 0) + 1
  }
  return { count, byUrl, byTrouble }
}

async function handle(cmd: WorkerCommand): Promise<unknown> {
  switch (cmd.cmd) {
    case 'connect':
      return connect(cmd)
    case 'phase':
      setPhase(cmd.phase)
      return null
    case 'send':
      return send(cmd)
    case 'durable':
      return durable(cmd)
    case 'stats':
      return stats()
    case 'drop':
      await Promise.all(clients.map((c) => c.drop()))
      return null
    case 'reconnect':
      return reconnect(cmd.expectPerClient, cmd.timeoutMs, cmd.retries ?? 0)
    case 'missing':
      return missing(cmd.expectPerClient)
    case 'closeAll':
      await Promise.all(clients.map((c) => c.drop()))
      clients.length = 0
      return null
  }
}

process.on('message', (raw: { id: number } & WorkerCommand) => {
  handle(raw).then(
    (result) => process.send?.({ id: raw.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      process.send?.({ id: raw.id, ok: false, error: String(error) } satisfies WorkerReply),
  )
})
process.on('disconnect', () => process.exit(0))
