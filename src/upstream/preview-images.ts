/** Preview images fetched by the server through the guarded client, accepted only when their bytes are PNG, JPEG, GIF or WebP, and kept in a byte-bounded LRU. */
import { type HttpClient, UpstreamError } from './http-client.js'

export type PreviewImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'

export interface PreviewImage {
  readonly type: PreviewImageType
  readonly bytes: Buffer
}

export interface PreviewImagesOptions {
  readonly client: HttpClient
  /** Largest image accepted. Default 2 MiB. */
  readonly maxBytes?: number
  /** Total deadline per fetch, redirects included. Default 5 s. */
  readonly timeoutMs?: number
  /** Bytes of images kept on this node; the least recently used go first. Default 32 MiB. */
  readonly cacheBytes?: number
  /** A cached image is refetched after this long. Default 1 hour. */
  readonly cacheTtlMs?: number
  /**
   * A failed image is not asked for again this long: without it every viewer's page load
   * would send the image's site one more request. Default 1 min.
   */
  readonly failureTtlMs?: number
  readonly clock?: { now(): number }
}

export interface PreviewImages {
  /** The image at `url`, or an UpstreamError (not an image, too large, blocked, timed out…). */
  fetch(url: string): Promise<PreviewImage>
}

const MAGIC: readonly { readonly type: PreviewImageType; readonly test: (b: Buffer) => boolean }[] =
  [
    {
      type: 'image/png',
      test: (b) =>
        b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    },
    { type: 'image/jpeg', test: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) },
    {
      type: 'image/gif',
      test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')),
    },
    {
      type: 'image/webp',
      test: (b) =>
        b.subarray(0, 4).toString('latin1') === 'RIFF' &&
        b.subarray(8, 12).toString('latin1') === 'WEBP',
    },
  ]

/**
 * The type the bytes prove, never the upstream's content-type: a page that calls its HTML or
 * SVG "image/png" must not be served from our origin as anything a browser would run.
 */
export function sniffImageType(bytes: Buffer): PreviewImageType | undefined {
  return MAGIC.find((magic) => magic.test(bytes))?.type
}

const MAX_FAILURES_REMEMBERED = 1_000

export function createPreviewImages(options: PreviewImagesOptions): PreviewImages {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024
  const timeoutMs = options.timeoutMs ?? 5_000
  const cacheBytes = options.cacheBytes ?? 32 * 1024 * 1024
  const cacheTtlMs = options.cacheTtlMs ?? 3_600_000
  const failureTtlMs = options.failureTtlMs ?? 60_000
  const clock = options.clock ?? Date
  // Recent failures, oldest first, at most MAX_FAILURES_REMEMBERED.
  const failures = new Map<string, { readonly at: number; readonly error: Error }>()
  // Map order is the LRU order; `held` is the sum of the cached images' sizes.
  const cache = new Map<string, { readonly at: number; readonly image: PreviewImage }>()
  let held = 0
  // Viewers opening a room at once ask for the same image together: one fetch serves them all.
  const inFlight = new Map<string, Promise<PreviewImage>>()

  function remember(url: string, image: PreviewImage): void {
    if (image.bytes.length > cacheBytes) return
    cache.set(url, { at: clock.now(), image })
    held += image.bytes.length
    for (const [oldest, entry] of cache) {
      if (held <= cacheBytes) break
      cache.delete(oldest)
      held -= entry.image.bytes.length
    }
  }

  async function download(url: string): Promise<PreviewImage> {
    const res = await options.client.request(url, {
      headers: { accept: 'image/png,image/jpeg,image/gif,image/webp;q=0.9' },
      timeoutMs,
      maxBodyBytes: maxBytes,
      maxRedirects: 3,
    })
    const type = sniffImageType(res.body)
    if (type === undefined) {
      throw new UpstreamError('bad_content', url, 'not a PNG, JPEG, GIF or WebP image')
    }
    const image = { type, bytes: res.body }
    remember(url, image)
    return image
  }

  return {
    fetch(url) {
      const hit = cache.get(url)
      if (hit !== undefined) {
        cache.delete(url)
        held -= hit.image.bytes.length
        if (clock.now() - hit.at < cacheTtlMs) {
          cache.set(url, hit)
          held += hit.image.bytes.length
          return Promise.resolve(hit.image)
        }
      }
      const failed = failures.get(url)
      if (failed !== undefined && clock.now() - failed.at < failureTtlMs) {
        return Promise.reject(failed.error)
      }
      failures.delete(url)
      let pending = inFlight.get(url)
      if (pending === undefined) {
        pending = download(url)
          .catch((error: unknown) => {
            const failure = error instanceof Error ? error : new Error(String(error))
            failures.set(url, { at: clock.now(), error: failure })
            for (const oldest of failures.keys()) {
              if (failures.size <= MAX_FAILURES_REMEMBERED) break
              failures.delete(oldest)
            }
            throw error
          })
          .finally(() => inFlight.delete(url))
        inFlight.set(url, pending)
      }
      return pending
    },
  }
}
