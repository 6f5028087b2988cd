/**
 * Files: uploads streamed into the BlobStore under a size limit (nothing kept when it is passed),
 * recorded with the type their bytes prove, downloads behind the room's access rule, and the
 * janitor that deletes the blobs of doomed files (their message or room deleted, never attached).
 */
import { randomUUID } from 'node:crypto'
import type { FileView } from '../protocol/files.js'
import type { BlobStore, ByteRange } from './blob-store.js'
import { ChatError } from './errors.js'
import { HEAD_BYTES, inspectFile } from './file-inspect.js'
import { safeFileName } from './file-names.js'
import { toFileView } from './file-view.js'
import type { Actor, Membership } from './membership.js'
import type { Clock, FileRecord, Logger, Store, StoredFile } from './ports.js'

export interface FileLimits {
  /** Largest upload, in bytes (MAX_UPLOAD_BYTES). */
  readonly maxBytes: number
  /** A file not attached to a message this long after its upload is deleted. */
  readonly unattachedTtlMs: number
}

export interface FilesOptions {
  readonly store: Store
  readonly blobs: BlobStore
  readonly membership: Membership
  readonly clock: Clock
  readonly log: Logger
  readonly limits: FileLimits
}

/** An upload as the transport hands it over: the client's filename and the bytes, streamed. */
export interface IncomingFile {
  readonly filename: string
  readonly source: AsyncIterable<Uint8Array>
}

export interface OpenedFile {
  readonly file: StoredFile
  /** The bytes, or those of `range` (inside the file). */
  read(range?: ByteRange): Promise<AsyncIterable<Uint8Array>>
}

/** A put that began this long ago and never finished was cut short by a crash. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000
const COLLECT_BATCH = 100

export class Files {
  readonly #store: Store
  readonly #blobs: BlobStore
  readonly #membership: Membership
  readonly #clock: Clock
  readonly #log: Logger
  readonly #limits: FileLimits
  #collecting: Promise<void> | undefined
  #collectAgain = false

  constructor(options: FilesOptions) {
    this.#store = options.store
    this.#blobs = options.blobs
    this.#membership = options.membership
    this.#clock = options.clock
    this.#log = options.log
    this.#limits = options.limits
  }

  get maxBytes(): number {
    return this.#limits.maxBytes
  }

  /**
   * Stores the file `next` yields in `room`, for a later message of the actor's to attach. The
   * access check comes before a byte is read; `next` resolving undefined (no file) is no_file;
   * more than maxBytes is file_too_large as soon as the limit is passed, with nothing kept.
   */
  async upload(
    actor: Actor,
    room: string,
    next: () => Promise<IncomingFile | undefined>,
  ): Promise<FileView> {
    await this.#membership.readable(actor, room)
    const incoming = await next()
    if (incoming === undefined) throw new ChatError('no_file')
    const id = randomUUID()
    const head: Buffer[] = []
    const size = await this.#blobs.put(id, this.#limited(incoming.source, head))
    try {
      // What a browser sends for a file input left empty; a named empty file is kept.
      if (size === 0 && incoming.filename === '') throw new ChatError('no_file')
      const inspected = await inspectFile(Buffer.concat(head))
      const record: FileRecord = {
        id,
        room,
        uploaderId: actor.id,
        name: safeFileName(incoming.filename),
        size,
        ...inspected,
        createdAt: this.#clock.now(),
      }
      await this.#store.createFile(record)
      return toFileView(record)
    } catch (error) {
      // No record, no blob: a room deleted meanwhile or a store outage keeps nothing.
      await this.#blobs.delete(id).catch((e: unknown) => {
        this.#log.warn({ err: e }, 'could not delete the blob of a refused upload')
      })
      throw error
    }
  }

  /**
   * A file of `room` the actor may download: the room must be readable (room_not_found, as for a
   * missing room, when it is not), and the file attached to a message there, or the actor's own
   * upload not yet sent; anything else is file_not_found.
   */
  async open(actor: Actor, room: string, id: string): Promise<OpenedFile> {
    await this.#membership.readable(actor, room)
    const file = await this.#store.findFile(id)
    if (
      file === undefined ||
      file.room !== room ||
      (file.messageSeq === null && file.uploaderId !== actor.id)
    ) {
      throw new ChatError('file_not_found')
    }
    return {
      file,
      read: async (range) => {
        const bytes = await this.#blobs.read(id, range)
        if (bytes === undefined) throw new ChatError('file_not_found')
        return bytes
      },
    }
  }

  /**
   * The janitor: dooms files left unattached past their time, deletes doomed files' blobs and
   * then their records, and sweeps what crashed uploads left. A call during a run waits for one
   * more run, so whatever was doomed before the call is gone when it resolves.
   */
  collect(): Promise<void> {
    if (this.#collecting) {
      this.#collectAgain = true
      return this.#collecting
    }
    const run = async (): Promise<void> => {
      do {
        this.#collectAgain = false
        await this.#collectOnce()
      } while (this.#collectAgain)
    }
    this.#collecting = run().finally(() => {
      this.#collecting = undefined
    })
    return this.#collecting
  }

  async #collectOnce(): Promise<void> {
    const now = this.#clock.now()
    await this.#store.doomUnattachedFiles(now - this.#limits.unattachedTtlMs)
    for (;;) {
      const ids = await this.#store.doomedFiles(COLLECT_BATCH)
      for (const id of ids) await this.#blobs.delete(id)
      await this.#store.purgeFiles(ids)
      if (ids.length < COLLECT_BATCH) break
    }
    await this.#blobs.sweep(now - LEFTOVER_AGE_MS)
  }

  /** Passes the bytes on, keeps the first HEAD_BYTES for inspection, and stops past the limit. */
  async *#limited(source: AsyncIterable<Uint8Array>, head: Buffer[]): AsyncGenerator<Uint8Array> {
    const max = this.#limits.maxBytes
    let total = 0
    let kept = 0
    for await (const chunk of source) {
      total += chunk.byteLength
      // Thrown before the chunk is passed on: the for-await ends the source, so no more of
      // the request is read, and the put removes what it wrote.
      if (total > max) {
        throw new ChatError(
          'file_too_large',
          `The file is larger than ${max} bytes (MAX_UPLOAD_BYTES).`,
        )
      }
      if (kept < HEAD_BYTES) {
        const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - kept))
        head.push(part)
        kept += part.byteLength
      }
      yield chunk
    }
  }
}
