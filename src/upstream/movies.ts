/** The hot-movies feed from the tutorial: cached, stale-while-revalidate, one upstream call at a time. */
import { UpstreamError, type HttpClient } from './http-client.js'

/** The tutorial's AsyncHTTPClient example URL (Douban "热门" hot movies, 50 per page). */
export const DEFAULT_MOVIES_URL =
  'https://movie.douban.com/j/search_subjects?type=movie&tag=%E7%83%AD%E9%97%A8&page_limit=50&page_start=0'

export interface MoviesClock {
  now(): number
}

export interface MoviesServiceOptions {
  readonly client: HttpClient
  readonly upstreamUrl?: string
  /** How long a fetched answer is fresh. Default 60 s. */
  readonly cacheTtlMs?: number
  /**
   * How long past its TTL a cached answer may still be served while a refresh runs.
   * Default 10 × TTL; older than that the caller waits for the upstream again.
   */
  readonly maxStaleMs?: number
  readonly timeoutMs?: number
  readonly maxBodyBytes?: number
  readonly clock?: MoviesClock
  /** Told when a background refresh fails (the stale answer keeps being served). */
  readonly onRefreshError?: (error: UpstreamError) => void
}

export interface MoviesService {
  /** Parsed upstream JSON; rejects with UpstreamError when there is nothing usable to serve. */
  get(): Promise<unknown>
}

interface CacheEntry {
  readonly value: unknown
  readonly fetchedAt: number
}

export function createMoviesService(options: MoviesServiceOptions): MoviesService {
  const url = options.upstreamUrl ?? DEFAULT_MOVIES_URL
  const ttlMs = options.cacheTtlMs ?? 60_000
  const maxStaleMs = options.maxStaleMs ?? ttlMs * 10
  const clock = options.clock ?? Date
  let cached: CacheEntry | undefined
  // Single-flight: every caller during a fetch shares this one promise (one upstream hit).
  let inflight: Promise<unknown> | undefined

  async function fetchJson(): Promise<unknown> {
    const res = await options.client.request(url, {
      headers: { accept: 'application/json' },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    })
    try {
      return JSON.parse(res.body.toString('utf8')) as unknown
    } catch (cause) {
      throw new UpstreamError('bad_content', res.url, 'upstream answered with invalid JSON', {
        cause,
      })
    }
  }

  function refresh(): Promise<unknown> {
    inflight ??= fetchJson()
      .then((value) => {
        cached = { value, fetchedAt: clock.now() }
        return value
      })
      .finally(() => {
        inflight = undefined
      })
    return inflight
  }

  function get(): Promise<unknown> {
    const entry = cached
    if (entry === undefined) return refresh()
    const age = clock.now() - entry.fetchedAt
    if (age < ttlMs) return Promise.resolve(entry.value)
    if (age >= ttlMs + maxStaleMs) return refresh()
    // Stale: answer now, refresh once in the background; a failed refresh keeps the stale copy.
    if (inflight === undefined) {
      refresh().catch((error: unknown) => {
        if (error instanceof UpstreamError) options.onRefreshError?.(error)
      })
    }
    return Promise.resolve(entry.value)
  }

  return { get }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function titleOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item
  if (!isRecord(item)) return undefined
  for (const key of ['title', 'name', 'original_title']) {
    const value = item[key]
    if (typeof value === 'string' && value.trim() !== '') return value
  }
  return undefined
}

/**
 * Titles from the Douban shape `{subjects:[{title}]}`, and leniently from a bare array or
 * `{movies|results|items|data:[…]}` with `title` or `name`, for the `/movies` chat command.
 */
export function topTitles(json: unknown, n: number): string[] {
  let list: unknown[] | undefined
  if (Array.isArray(json)) list = json
  else if (isRecord(json)) {
    for (const key of ['subjects', 'movies', 'results', 'items', 'data']) {
      const value = json[key]
      if (Array.isArray(value)) {
        list = value
        break
      }
    }
  }
  const titles: string[] = []
  for (const item of list ?? []) {
    if (titles.length >= n) break
    const title = titleOf(item)?.replace(/\s+/g, ' ').trim()
    if (title) titles.push(title.slice(0, 300))
  }
  return titles
}
