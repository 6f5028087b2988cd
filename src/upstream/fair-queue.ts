/** Per-key FIFO sub-queues handed out fairly: the key with the fewest running jobs goes next, ties in round-robin order. */

export type PushResult = 'queued' | 'queue_full' | 'key_full'

interface Lane<T> {
  readonly jobs: T[]
  active: number
}

/**
 * One user's burst must not stand in front of everyone else's work. A plain FIFO lets 50 slow
 * URLs from one author occupy every worker and the next 42 places; here each author has a lane,
 * and a free worker takes from the lane with the fewest jobs running (then the least recently
 * served), so another author's first job waits for at most one worker to free up.
 */
export class FairQueue<T> {
  readonly #maxTotal: number
  readonly #maxPerKey: number
  // Map order is the rotation: a lane served moves to the back.
  readonly #lanes = new Map<string, Lane<T>>()
  #size = 0

  constructor(maxTotal: number, maxPerKey: number) {
    this.#maxTotal = maxTotal
    this.#maxPerKey = maxPerKey
  }

  /** Jobs waiting, all keys together. */
  get size(): number {
    return this.#size
  }

  push(key: string, job: T): PushResult {
    if (this.#size >= this.#maxTotal) return 'queue_full'
    let lane = this.#lanes.get(key)
    if (lane === undefined) {
      lane = { jobs: [], active: 0 }
      this.#lanes.set(key, lane)
    }
    if (lane.jobs.length >= this.#maxPerKey) return 'key_full'
    lane.jobs.push(job)
    this.#size++
    return 'queued'
  }

  /** The next job, counted as running for its key until `done(key)`. */
  take(): { readonly key: string; readonly job: T } | undefined {
    let bestKey: string | undefined
    let best: Lane<T> | undefined
    for (const [key, lane] of this.#lanes) {
      if (lane.jobs.length === 0) continue
      if (best === undefined || lane.active < best.active) {
        bestKey = key
        best = lane
        if (lane.active === 0) break // nobody can beat an idle lane
      }
    }
    const job = best?.jobs.shift()
    if (bestKey === undefined || best === undefined || job === undefined) return undefined
    this.#size--
    best.active++
    this.#lanes.delete(bestKey)
    this.#lanes.set(bestKey, best)
    return { key: bestKey, job }
  }

  done(key: string): void {
    const lane = this.#lanes.get(key)
    if (lane === undefined) return
    lane.active = Math.max(0, lane.active - 1)
    if (lane.active === 0 && lane.jobs.length === 0) this.#lanes.delete(key)
  }

  /** Drops every waiting job; running ones are still counted until done. */
  clear(): void {
    for (const [key, lane] of this.#lanes) {
      lane.jobs.length = 0
      if (lane.active === 0) this.#lanes.delete(key)
    }
    this.#size = 0
  }
}
