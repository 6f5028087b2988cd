/** An in-memory BlobStore for domain unit tests; never for production (nothing survives a restart). */
import { assertBlobId, type BlobStore } from '../domain/blob-store.js'
import { ChatError } from '../domain/errors.js'
import { drain, putFailure } from './drain.js'

export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Buffer>()
  let closed = false
  const open = (): void => {
    if (closed) throw new ChatError('store_unavailable', 'The blob store is closed.')
  }

  return {
    async put(id, source) {
      assertBlobId(id)
      open()
      const parts: Buffer[] = []
      // Kept aside until the source ends: a failed put never becomes visible.
      try {
        await drain(source, (chunk) => {
          parts.push(Buffer.from(chunk))
          return Promise.resolve()
        })
      } catch (error) {
        throw putFailure(error, (e) => (e instanceof Error ? e : new Error(String(e))))
      }
      open()
      const bytes = Buffer.concat(parts)
      blobs.set(id, bytes)
      return bytes.byteLength
    },
    async read(id, range) {
      assertBlobId(id)
      open()
      await Promise.resolve()
      const bytes = blobs.get(id)
      if (bytes === undefined) return undefined
      const slice = range ? bytes.subarray(range.start, range.end + 1) : bytes
      return (async function* () {
        await Promise.resolve()
        yield Buffer.from(slice)
      })()
    },
    async delete(id) {
      assertBlobId(id)
      open()
      await Promise.resolve()
      blobs.delete(id)
    },
    // Nothing is ever half-written here.
    sweep: () => Promise.resolve(0),
    async close() {
      await Promise.resolve()
      closed = true
    },
  }
}
