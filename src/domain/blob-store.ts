/**
 * The BlobStore port: the bytes of uploaded files, beside the Store that holds their records.
 * Adapters live in src/blobs (disk under DATA_DIR for one node, PostgreSQL for many, memory for
 * unit tests); every one passes test/contract/blob-store.contract.ts.
 */

/** Inclusive byte offsets, like an HTTP range: `{ start: 0, end: 0 }` is the first byte. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

/**
 * Contract:
 * - `put` streams `source` into a new blob `id` and resolves with its size once it is durable;
 *   only then does `read` see it. When `source` throws (the upload was too large or cut off) or
 *   the engine fails, `put` rejects with that error after removing every byte it wrote: no
 *   partial blob is left, and `read` never sees one. Ids are fresh: one new random id per put.
 * - `read` streams the blob's bytes (only `range`, when given, which must lie inside the blob);
 *   undefined when there is no such blob.
 * - `delete` removes the blob; deleting a missing blob is not an error.
 * - `sweep` removes what a crashed `put` (a killed process) left behind, if it began before
 *   `startedBefore` (ms since the epoch); a `put` still running is never disturbed by it.
 * - Any blob stored through one instance is readable through every other instance on the same
 *   storage (every node serves every file); failures to reach the engine reject with
 *   ChatError('store_unavailable').
 */
export interface BlobStore {
  put(id: string, source: AsyncIterable<Uint8Array>): Promise<number>
  read(id: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined>
  delete(id: string): Promise<void>
  /** Resolves with how many leftovers were removed. */
  sweep(startedBefore: number): Promise<number>
  close(): Promise<void>
}

/** Blob ids are file ids (UUIDs); adapters refuse anything else, so an id is never a path trick. */
export function assertBlobId(id: string): void {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new TypeError(`Not a blob id: ${JSON.stringify(id)}`)
}
