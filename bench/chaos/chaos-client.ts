/**
 * One chaos-run client over WebSocket: sends with unique cids and retries unacked ones with the
 * same cid after a reconnect, reconnects to any node and resumes each room with `since` = the
 * highest seq it has seen, and logs every delivery so bench/chaos/verify.ts can audit it.
 */
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import type { ServerFrame } from '../../src/protocol/frames.js'
import type { Rng } from './rng.js'

export interface Delivery {
  readonly seq: number
  /** ms since the run's clock origin */
  readonly at: number
}

export interface AckRecord {
  readonly room: string
  readonly seq: number
  readonly cid: string
  readonly at: number
}

interface PendingSend {
  readonly room: string
  readonly cid: string
  readonly text: string
  readonly createdAt: number
  /** Earliest time a resend is due (after an error frame, or a send that went unanswered). */
  retryAt: number
}

export interface ClientOptions {
  readonly name: string
  readonly token: string
  readonly rooms: readonly string[]
  /** WebSocket URLs of every node; any may be down, so the client tries them in random order. */
  readonly urls: () => readonly string[]
  readonly rng: Rng
  readonly now: () => number
  readonly maxInFlight?: number
}

/** A send with no ack and no error for this long is sent again with the same cid. */
const UNANSWERED_RESEND_MS = 10_000
const ERROR_RETRY_MS = 300
const CONNECT_TIMEOUT_MS = 3_000

export class ChaosClient {
  readonly name: string
  /** Per room: the head seq at the first join; every stored seq above it is owed to this client. */
  readonly baseline = new Map<string, number>()
  /** Per room: every delivered seq in arrival order, across all sessions. */
  readonly deliveries = new Map<string, Delivery[]>()
  readonly acks: AckRecord[] = []
  /** cids acked twice with different seqs: the idempotency promise broken. */
  readonly ackConflicts: string[] = []
  readonly closeCodes = new Map<number, number>()
  sessions = 0
  readonly #options: ClientOptions
  readonly #last = new Map<string, number>()
  readonly #ackedSeq = new Map<string, number>()
  readonly #pending = new Map<string, PendingSend>()
  readonly #ready = new Set<string>()
  #ws: WebSocket | undefined
  #tcp: Socket | undefined
  #counter = 0
  #stopped = false
  #failures = 0
  #wakeReconnect: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor(options: ClientOptions) {
    this.#options = options
    this.name = options.name
    for (const room of options.rooms) this.deliveries.set(room, [])
  }

  get rooms(): readonly string[] {
    return this.#options.rooms
  }

  /** Connected and joined to every room. */
  get ready(): boolean {
    return this.#ready.size === this.#options.rooms.length
  }

  /** The highest seq seen in `room`. */
  last(room: string): number {
    return this.#last.get(room) ?? 0
  }

  /** Sends created before `time` that are still waiting for an ack. */
  pendingSince(time: number): number {
    let count = 0
    for (const p of this.#pending.values()) if (p.createdAt < time) count += 1
    return count
  }

  get pendingCount(): number {
    return this.#pending.size
  }

  start(): Promise<void> {
    this.#loop = this.#connectLoop()
    return this.#waitReady(30_000)
  }

  /** Queues a new message in `room` (if the in-flight window allows); true when queued. */
  send(room: string, text?: string): boolean {
    if (this.#stopped || this.#pending.size >= (this.#options.maxInFlight ?? 20)) return false
    this.#counter += 1
    const cid = `${this.name}-${this.#counter}`
    const now = this.#options.now()
    const pending: PendingSend = {
      room,
      cid,
      text: text ?? `chaos ${cid}`,
      createdAt: now,
      retryAt: now + UNANSWERED_RESEND_MS,
    }
    this.#pending.set(cid, pending)
    if (this.#ready.has(room)) this.#transmit(pending)
    return true
  }

  /** Resends what is due; called by the runner's load tick. */
  retryDue(): void {
    const now = this.#options.now()
    for (const p of this.#pending.values()) {
      if (p.retryAt <= now && this.#ready.has(p.room)) this.#transmit(p)
    }
  }

  /** Drops the connection at once, as a network blip does; the client reconnects immediately. */
  drop(): void {
    this.#failures = 0
    this.#ready.clear()
    this.#ws?.terminate()
  }

  /** The current connection's TCP ports (local, server), if connected. */
  ports(): { local: number; remote: number } | undefined {
    const { localPort, remotePort } = this.#tcp ?? {}
    return localPort && remotePort ? { local: localPort, remote: remotePort } : undefined
  }

  /** Stops reading from the socket (the server sees a reader that never drains); returns resume. */
  pauseReading(): () => void {
    const tcp = this.#tcp
    tcp?.pause()
    return () => tcp?.resume()
  }

  async close(): Promise<void> {
    this.#stopped = true
    this.#wakeReconnect?.()
    // No close handshake: a node that is down or stuck would hold it for ws's 30 s timeout.
    this.#ws?.terminate()
    await this.#loop
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = this.#options.now() + timeoutMs
    while (!this.ready) {
      if (this.#options.now() > deadline) throw new Error(`${this.name} could not join in time`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async #connectLoop(): Promise<void> {
    const { rng } = this.#options
    while (!this.#stopped) {
      const url = rng.pick(this.#options.urls())
      try {
        await this.#session(url)
      } catch {
        this.#failures += 1
      }
      if (this.#stopped) break
      // A failed connect backs off (nodes may be down); a dropped session rejoins at once.
      const backoff = this.#failures === 0 ? 0 : Math.min(2_000, 50 * 2 ** this.#failures)
      if (backoff > 0) {
        await new Promise<void>((resolve) => {
          this.#wakeReconnect = resolve
          setTimeout(resolve, rng.int(backoff / 2, backoff))
        })
      }
    }
  }

  /** One connection, from connect to close; rejects if it never opened. */
  async #session(url: string): Promise<void> {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.#options.token}` },
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    })
    ws.on('upgrade', (response) => {
      this.#tcp = response.socket
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
    this.#ws = ws
    this.#failures = 0
    this.sessions += 1
    const closed = new Promise<void>((resolve) =>
      ws.once('close', (code) => {
        this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1)
        this.#ready.clear()
        resolve()
      }),
    )
    ws.on('error', () => {})
    if (this.#stopped) ws.terminate()
    ws.on('message', (data: Buffer) =>
      this.#receive(JSON.parse(data.toString('utf8')) as ServerFrame),
    )
    for (const room of this.#options.rooms) {
      const since = this.#last.get(room)
      ws.send(
        JSON.stringify(
          since === undefined ? { type: 'join', room } : { type: 'join', room, since },
        ),
      )
    }
    await closed
  }

  #receive(frame: ServerFrame): void {
    const now = this.#options.now()
    switch (frame.type) {
      case 'joined': {
        if (!this.baseline.has(frame.room)) {
          this.baseline.set(frame.room, frame.seq)
          this.#last.set(frame.room, frame.seq)
        }
        this.#ready.add(frame.room)
        for (const p of this.#pending.values()) if (p.room === frame.room) this.#transmit(p)
        return
      }
      // Every event of a room's log counts, not only messages: member, room, edit, delete and
      // reaction events take seqs too, and resuming from a cursor that skipped them would replay them.
      case 'member':
      case 'room':
      case 'edit':
      case 'delete':
      case 'reaction':
      case 'message': {
        this.deliveries.get(frame.room)?.push({ seq: frame.seq, at: now })
        if (frame.seq > this.last(frame.room)) this.#last.set(frame.room, frame.seq)
        return
      }
      case 'ack': {
        const earlier = this.#ackedSeq.get(frame.cid)
        if (earlier !== undefined && earlier !== frame.seq) this.ackConflicts.push(frame.cid)
        if (earlier !== undefined) return
        this.#ackedSeq.set(frame.cid, frame.seq)
        this.#pending.delete(frame.cid)
        this.acks.push({ room: frame.room, seq: frame.seq, cid: frame.cid, at: now })
        return
      }
      case 'error': {
        const pending = frame.cid === undefined ? undefined : this.#pending.get(frame.cid)
        if (pending) {
          pending.retryAt = now + ERROR_RETRY_MS
        } else if (frame.room !== undefined) {
          // A join or catch-up that failed (store down) ended the subscription: resume with
          // `since` on a new session, after a pause so an outage is not hammered.
          this.#failures = Math.max(this.#failures, 3)
          this.#ready.clear()
          this.#ws?.terminate()
        }
        return
      }
      default:
        return
    }
  }

  #transmit(pending: PendingSend): void {
    const ws = this.#ws
    if (!ws || ws.readyState !== WebSocket.OPEN) return
    pending.retryAt = this.#options.now() + UNANSWERED_RESEND_MS
    ws.send(
      JSON.stringify({ type: 'send', room: pending.room, text: pending.text, cid: pending.cid }),
    )
  }
}
