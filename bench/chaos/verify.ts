/**
 * The chaos run's audit, pure: every stored message (a superset of the acked ones) must reach every
 * subscriber of its room exactly once and in increasing seq order, stitched across reconnects.
 */
import type { AckRecord, Delivery } from './chaos-client.js'

export interface StoredMessage {
  readonly seq: number
  readonly cid: string
  readonly user: string
}

/** A fault's span, from injection until the run saw it recover; anomalies inside count for it. */
export interface FaultWindow {
  readonly fault: string
  readonly start: number
  readonly end: number
}

export interface SubscriberLog {
  readonly client: string
  readonly room: string
  /** Head seq at the client's first join: it is owed every stored seq above this. */
  readonly baseline: number
  readonly deliveries: readonly Delivery[]
}

export interface AuditInput {
  /** Each room's full history from the store, read after the run. */
  readonly stored: ReadonlyMap<string, readonly StoredMessage[]>
  readonly acks: ReadonlyArray<AckRecord & { readonly user: string }>
  readonly subscribers: readonly SubscriberLog[]
  readonly windows: readonly FaultWindow[]
  /** cids the server acked twice with different seqs. */
  readonly ackConflicts: number
}

export interface Tally {
  lost: number
  duplicated: number
  outOfOrder: number
}

export interface Audit {
  readonly acked: number
  readonly stored: number
  readonly delivered: number
  /** Keyed by fault name; anomalies outside every window count under STEADY. */
  readonly byFault: ReadonlyMap<string, Tally>
  readonly total: Tally
  /** Delivered seqs the store does not hold (never expected; counted as errors). */
  readonly phantom: number
  /** The first few anomalies in words, for the report. */
  readonly examples: readonly string[]
}

export const STEADY = 'steady'
const MAX_EXAMPLES = 12

export function audit(input: AuditInput): Audit {
  const byFault = new Map<string, Tally>()
  const total: Tally = { lost: 0, duplicated: 0, outOfOrder: 0 }
  const examples: string[] = []
  let phantom = 0
  const count = (kind: keyof Tally, at: number, example: string): void => {
    const fault = input.windows.find((w) => at >= w.start && at <= w.end)?.fault ?? STEADY
    const tally = byFault.get(fault) ?? { lost: 0, duplicated: 0, outOfOrder: 0 }
    byFault.set(fault, tally)
    tally[kind] += 1
    total[kind] += 1
    if (examples.length < MAX_EXAMPLES) examples.push(`${kind} (${fault}): ${example}`)
  }

  // When each seq entered the run's view (first ack, else first delivery): a loss counts for the
  // fault that was running then.
  const firstSeen = new Map<string, number>()
  const see = (room: string, seq: number, at: number): void => {
    const key = `${room}#${seq}`
    const known = firstSeen.get(key)
    if (known === undefined || at < known) firstSeen.set(key, at)
  }
  for (const ack of input.acks) see(ack.room, ack.seq, ack.at)
  for (const log of input.subscribers) for (const d of log.deliveries) see(log.room, d.seq, d.at)
  const timeOf = (room: string, seq: number): number =>
    firstSeen.get(`${room}#${seq}`) ?? Number.POSITIVE_INFINITY

  const storedSeqs = new Map<string, Map<number, StoredMessage>>()
  let storedCount = 0
  for (const [room, messages] of input.stored) {
    const bySeq = new Map<number, StoredMessage>()
    const byCid = new Map<string, number>()
    for (const m of messages) {
      bySeq.set(m.seq, m)
      const key = `${m.user}\u0000${m.cid}`
      const earlier = byCid.get(key)
      if (earlier !== undefined)
        count(
          'duplicated',
          timeOf(room, m.seq),
          `${room} cid ${m.cid} stored as ${earlier} and ${m.seq}`,
        )
      else byCid.set(key, m.seq)
    }
    storedSeqs.set(room, bySeq)
    storedCount += messages.length
  }

  for (const ack of input.acks) {
    const stored = storedSeqs.get(ack.room)?.get(ack.seq)
    if (stored?.cid !== ack.cid)
      count('lost', ack.at, `${ack.room} seq ${ack.seq} (cid ${ack.cid}) acked but not stored`)
  }
  for (let i = 0; i < input.ackConflicts; i++)
    count('duplicated', Number.POSITIVE_INFINITY, 'a cid acked with two different seqs')

  let delivered = 0
  for (const log of input.subscribers) {
    const held = storedSeqs.get(log.room) ?? new Map<number, StoredMessage>()
    const seen = new Set<number>()
    let highest = log.baseline
    for (const d of log.deliveries) {
      delivered += 1
      const where = `${log.client} in ${log.room}: seq ${d.seq}`
      if (!held.has(d.seq)) {
        phantom += 1
        if (examples.length < MAX_EXAMPLES) examples.push(`phantom: ${where} is not in the store`)
      }
      if (seen.has(d.seq) || d.seq <= log.baseline) {
        count('duplicated', d.at, `${where} delivered again`)
        continue
      }
      seen.add(d.seq)
      if (d.seq < highest) count('outOfOrder', d.at, `${where} after ${highest}`)
      else highest = d.seq
    }
    for (const seq of held.keys()) {
      if (seq > log.baseline && !seen.has(seq))
        count('lost', timeOf(log.room, seq), `${log.client} in ${log.room}: never got seq ${seq}`)
    }
  }

  return {
    acked: input.acks.length,
    stored: storedCount,
    delivered,
    byFault,
    total,
    phantom,
    examples,
  }
}

export function clean(result: Audit): boolean {
  const { lost, duplicated, outOfOrder } = result.total
  return lost + duplicated + outOfOrder + result.phantom === 0
}
