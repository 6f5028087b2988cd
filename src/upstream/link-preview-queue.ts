/** Background link previews: a bounded queue drained by a few workers, off the message's send path. */
import type { LinkPreview } from '../protocol/frames.js'
import { FairQueue } from './fair-queue.js'
import type { HttpClient } from './http-client.js'
import { extractUrls, fetchPreview } from './link-preview-fetch.js'

export interface LinkPreviewerOptions {
  readonly client: HttpClient
  /** Fetches at once. Default 8. */
  readonly concurrency?: number
  /** URLs waiting beyond this are dropped: previews are decoration, memory is not. Default 256. */
  readonly maxQueue?: number
  /**
   * URLs one author may have waiting; the excess is dropped and counted, so one user's burst of
   * slow links cannot fill the queue. Authors are served fairly (fair-queue.ts). Default 24.
   */
  readonly maxQueuedPerUser?: number
  /** Called once per preview found; typically store.addPreview then bus.publish. May be async. */
  readonly onPreview: (room: string, seq: number, preview: LinkPreview) => void | Promise<void>
  /** Told when onPreview fails or a job is dropped; never rethrown. */
  readonly onError?: (error: unknown) => void
  /** Replaces fetchPreview (tests). */
  readonly fetch?: (url: string) => Promise<LinkPreview | null>
  /**
   * A URL's result (preview or null) is reused this long, and concurrent asks share one fetch:
   * a link pasted 1,000 times costs the target site one request, not 1,000. Default 10 min.
   */
  readonly cacheTtlMs?: number
  /** Most URLs remembered; the least recently used go first. Default 500. */
  readonly cacheSize?: number
  readonly clock?: { now(): number }
}

export interface LinkPreviewer {
  /** Queues previews for the URLs in `user`'s stored message; returns at once and never throws. */
  enqueue(room: string, seq: number, text: string, user: string): void
  /** Resolves when the queue is empty and no fetch is running (tests, graceful shutdown). */
  idle(): Promise<void>
  /** Drops everything still queued; running fetches finish on their own. */
  clear(): void
  readonly stats: { readonly queued: number; readonly active: number; readonly dropped: number }
}

interface Job {
  readonly room: string
  readonly seq: number
  readonly url: string
}

export function createLinkPreviewer(options: LinkPreviewerOptions): LinkPreviewer {
  const concurrency = Math.max(1, options.concurrency ?? 8)
  const maxQueue = options.maxQueue ?? 256
  const maxQueuedPerUser = options.maxQueuedPerUser ?? 24
  const fetchUncached = options.fetch ?? ((url: string) => fetchPreview(options.client, url))
  const cacheTtlMs = options.cacheTtlMs ?? 600_000
  const cacheSize = options.cacheSize ?? 500
  const clock = options.clock ?? Date
  // Holding the Promise (not the value) makes in-flight fetches shared as well as finished ones.
  const cache = new Map<
    string,
    { readonly at: number; readonly result: Promise<LinkPreview | null> }
  >()
  const queue = new FairQueue<Job>(maxQueue, maxQueuedPerUser)
  let active = 0
  let dropped = 0
  let idleWaiters: (() => void)[] = []

  function fetchOne(url: string): Promise<LinkPreview | null> {
    const now = clock.now()
    const hit = cache.get(url)
    cache.delete(url) // re-inserted below: Map order is the LRU order
    if (hit !== undefined && now - hit.at < cacheTtlMs) {
      cache.set(url, hit)
      return hit.result
    }
    const result = fetchUncached(url)
    result.catch(() => cache.delete(url)) // a thrown fetch is retried next time, not cached
    cache.set(url, { at: now, result })
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break
      cache.delete(oldest)
    }
    return result
  }

  function report(error: unknown): void {
    try {
      options.onError?.(error)
    } catch {
      // A failing error hook must not break the queue either.
    }
  }

  function settleIdle(): void {
    if (active !== 0 || queue.size !== 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  async function runJob(job: Job): Promise<void> {
    const preview = await fetchOne(job.url)
    if (preview !== null) await options.onPreview(job.room, job.seq, preview)
  }

  function pump(): void {
    while (active < concurrency) {
      const next = queue.take()
      if (next === undefined) break
      active++
      runJob(next.job)
        .catch(report)
        .finally(() => {
          active--
          queue.done(next.key)
          pump()
          settleIdle()
        })
    }
  }

  function enqueue(room: string, seq: number, text: string, user: string): void {
    try {
      for (const url of extractUrls(text)) {
        const result = queue.push(user, { room, seq, url })
        if (result === 'queued') continue
        dropped++
        const bound =
          result === 'queue_full'
            ? `queue full (${maxQueue})`
            : `${maxQueuedPerUser} queued for ${user}`
        report(new Error(`link preview ${bound}; dropped ${url}`))
      }
      pump()
    } catch (error) {
      report(error)
    }
  }

  return {
    enqueue,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        settleIdle()
      }),
    clear: () => {
      queue.clear()
      settleIdle()
    },
    get stats() {
      return { queued: queue.size, active, dropped }
    },
  }
}
