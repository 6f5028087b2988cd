/** The node's health as /healthz reports it: each engine probed with a bounded wait. */
import type { Bus, Store } from './ports.js'

export type HealthState = 'ok' | 'down'

export interface HealthReport {
  readonly checks: Readonly<Record<'store' | 'bus', HealthState>>
  /** Only a dead store makes the node useless; a dead bus still serves its own clients. */
  readonly serving: boolean
}

const STORE_PING_TIMEOUT_MS = 2_000
/** Loopback Redis answers a pub/sub round trip in well under a millisecond. */
const BUS_PING_TIMEOUT_MS = 1_500

export async function probeHealth(store: Store, bus: Bus): Promise<HealthReport> {
  const [storeState, busState] = await Promise.all([
    withTimeout(store.ping(), STORE_PING_TIMEOUT_MS).then(up, down),
    bus.ping(BUS_PING_TIMEOUT_MS).then(up, down),
  ])
  return { checks: { store: storeState, bus: busState }, serving: storeState === 'ok' }
}

const up = (): HealthState => 'ok'
const down = (): HealthState => 'down'

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
