/** One call for the composition root: the shared client plus the movies feed and link previewer built on it. */
import type { LinkPreview } from '../protocol/frames.js'
import { createHttpClient, type HttpClient } from './http-client.js'
import { createLinkPreviewer, type LinkPreviewer } from './link-preview-queue.js'
import { createPreviewImages, type PreviewImages } from './preview-images.js'
import { createMoviesService, DEFAULT_MOVIES_URL, type MoviesService } from './movies.js'

export interface UpstreamsOptions {
  /** ALLOW_PRIVATE_UPSTREAMS=1. */
  readonly allowPrivate: boolean
  /** UPSTREAM_TIMEOUT_MS. Default 5 s. */
  readonly timeoutMs?: number
  /** MOVIES_UPSTREAM_URL. Default: the tutorial's Douban hot-movies URL. */
  readonly moviesUrl?: string
  /** MOVIES_CACHE_TTL_MS. Default 60 s. */
  readonly moviesCacheTtlMs?: number
  /** LINK_PREVIEWS=on: where each preview goes (chat.publishPreview). Omit to turn previews off. */
  readonly onPreview?: (room: string, seq: number, preview: LinkPreview) => Promise<void>
  /** Failed background work (a preview's publish, a dropped job, a failed movies refresh). */
  readonly onError?: (error: unknown) => void
}

export interface Upstreams {
  readonly client: HttpClient
  readonly movies: MoviesService
  /** Undefined when previews are off. Feed it from chat.onStored(m => enqueue(m.room, m.seq, m.text, m.user)). */
  readonly previewer: LinkPreviewer | undefined
  /** The previews' images, fetched for viewers through the same client; undefined when previews are off. */
  readonly previewImages: PreviewImages | undefined
  /** Pays the outbound client's start-up before the node takes traffic (HttpClient.warmUp). */
  warmUp(): Promise<void>
  /** Drops queued previews, waits for running ones, then closes every socket. */
  close(): Promise<void>
}

export function createUpstreams(options: UpstreamsOptions): Upstreams {
  const client = createHttpClient({
    allowPrivate: options.allowPrivate,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  })
  const onError = options.onError ?? (() => {})
  const movies = createMoviesService({
    client,
    upstreamUrl: options.moviesUrl ?? DEFAULT_MOVIES_URL,
    ...(options.moviesCacheTtlMs !== undefined ? { cacheTtlMs: options.moviesCacheTtlMs } : {}),
    onRefreshError: onError,
  })
  const previewer =
    options.onPreview === undefined
      ? undefined
      : createLinkPreviewer({ client, onPreview: options.onPreview, onError })
  const previewImages =
    previewer === undefined
      ? undefined
      : createPreviewImages({
          client,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        })
  return {
    client,
    movies,
    previewer,
    previewImages,
    warmUp: () => client.warmUp(),
    close: async () => {
      previewer?.clear()
      await previewer?.idle()
      await client.close()
    },
  }
}
