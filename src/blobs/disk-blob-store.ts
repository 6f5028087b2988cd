/** The one-node BlobStore: each blob a file under DATA_DIR/files, written to a temp file, fsync'd, then renamed into place. */
import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { assertBlobId, type BlobStore, type ByteRange } from '../domain/blob-store.js'
import { ChatError, isChatError } from '../domain/errors.js'
import { drain, putFailure } from './drain.js'

export interface DiskBlobStoreOptions {
  /** Holds the blobs (two-character fan-out directories) and `tmp/`; created when missing. */
  readonly dir: string
}

const TMP = 'tmp'

export async function createDiskBlobStore(options: DiskBlobStoreOptions): Promise<BlobStore> {
  const dir = options.dir
  const tmpDir = join(dir, TMP)
  await mkdir(tmpDir, { recursive: true })
  const pathOf = (id: string): string => join(dir, id.slice(0, 2), id)
  // Temp files of this process's running puts, which a sweep must leave alone whatever their age.
  const writing = new Set<string>()

  return {
    async put(id, source) {
      assertBlobId(id)
      const tmp = join(tmpDir, `${id}.${randomUUID()}.part`)
      writing.add(tmp)
      let handle: FileHandle | undefined
      try {
        const file = await open(tmp, 'wx', 0o600)
        handle = file
        const size = await drain(source, async (chunk) => {
          await file.write(chunk)
        })
        // The bytes reach the disk before the name does: a crash never leaves a short blob.
        await handle.sync()
        await handle.close()
        handle = undefined
        const target = pathOf(id)
        await mkdir(join(dir, id.slice(0, 2)), { recursive: true })
        await rename(tmp, target)
        await syncDir(join(dir, id.slice(0, 2)))
        return size
      } catch (error) {
        await handle?.close().catch(() => undefined)
        await unlink(tmp).catch(() => undefined)
        throw putFailure(error, (e) => (isChatError(e) ? e : unavailable(e)))
      } finally {
        writing.delete(tmp)
      }
    },

    async read(id, range?: ByteRange) {
      assertBlobId(id)
      let handle: FileHandle
      try {
        handle = await open(pathOf(id), 'r')
      } catch (error) {
        if (isMissing(error)) return undefined
        throw unavailable(error)
      }
      // The open handle keeps the bytes readable even if the blob is deleted meanwhile.
      return handle.createReadStream(
        range === undefined ? {} : { start: range.start, end: range.end },
      )
    },

    async delete(id) {
      assertBlobId(id)
      await unlink(pathOf(id)).catch((error: unknown) => {
        if (!isMissing(error)) throw unavailable(error)
      })
    },

    async sweep(startedBefore) {
      let removed = 0
      for (const name of await readdir(tmpDir).catch(() => [])) {
        const path = join(tmpDir, name)
        if (writing.has(path)) continue
        const info = await stat(path).catch(() => undefined)
        if (info === undefined || info.mtimeMs >= startedBefore) continue
        await unlink(path).then(
          () => removed++,
          () => undefined,
        )
      }
      return removed
    },

    close: () => Promise.resolve(),
  }
}

/** A rename is durable once its directory is; without this a power cut can forget the name. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT'
}

function unavailable(error: unknown): ChatError {
  return new ChatError('store_unavailable', 'The file storage failed; nothing was kept.', {
    cause: error,
  })
}
