/** The node's health as /healthz reports it: each engine probed with a bounded wait. */
import type { Bus, Store } from './ports.js'

export type HealthState = 'ok' | 'down'

export interface HealthReport {
  readonly checks: Readonly<Record<'store' | 'bus', HealthState>>
  /** Only a dead store makes the node useless; a dead bus still serves its own clients. */
  readonly serving: boolean
}

const STORE_PING_TIMEOUT_MS = 2_000

export async function probeHealth(store: Store, bus: Bus): Promise<HealthReport> {
  const storeState = await withTimeout(store.ping(), STORE_PING_TIMEOUT_MS).then(
    () => 'ok' as const,
    () => 'down' as const,
  )
  const busState: HealthState = bus.healthy() ? 'ok' : 'down'
  return { checks: { store: storeState, bus: busState }, serving: storeState === 'ok' }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
