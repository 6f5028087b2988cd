/**
 * The composer's uploads for one room: each file goes up at once (XHR, with progress), can be
 * cancelled or removed, and the message takes the ones that finished.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { FileView } from '../../../src/protocol/index.js'

/** Uploads one file; see upload.ts. */
export type UploadFile = (
  file: Blob,
  name: string,
  onProgress: (sent: number, total: number) => void,
  signal: AbortSignal,
) => Promise<FileView>

export interface Upload {
  readonly key: number
  readonly name: string
  readonly size: number
  readonly sent: number
  readonly file: FileView | null
  readonly error: string | null
}

export interface Uploads {
  readonly uploads: readonly Upload[]
  add(files: readonly File[]): void
  /** Cancels an upload still going, or forgets a finished or failed one. */
  remove(key: number): void
  /** Forgets them all (the message was sent). */
  clear(): void
  readonly ready: readonly FileView[]
  readonly busy: boolean
}

let nextKey = 1

export function useUploads(upload: UploadFile): Uploads {
  const [uploads, setUploads] = useState<readonly Upload[]>([])
  const controllers = useRef(new Map<number, AbortController>())
  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)))

  // Leaving the room (the composer unmounts) cancels what is still going up.
  useEffect(() => () => controllers.current.forEach((c) => c.abort()), [])

  const add = (files: readonly File[]) => {
    for (const file of files) {
      const key = nextKey++
      const controller = new AbortController()
      controllers.current.set(key, controller)
      const name = file.name || 'pasted-image'
      setUploads((list) => [
        ...list,
        { key, name, size: file.size, sent: 0, file: null, error: null },
      ])
      upload(file, name, (sent) => patch(key, { sent }), controller.signal)
        .then(
          (stored) => patch(key, { file: stored, sent: file.size }),
          (error: unknown) => {
            if (controller.signal.aborted) return
            patch(key, { error: error instanceof Error ? error.message : 'Upload failed.' })
          },
        )
        .finally(() => controllers.current.delete(key))
    }
  }

  const remove = (key: number) => {
    controllers.current.get(key)?.abort()
    setUploads((list) => list.filter((u) => u.key !== key))
  }

  return {
    uploads,
    add,
    remove,
    clear: () => setUploads([]),
    ready: uploads.flatMap((u) => (u.file ? [u.file] : [])),
    busy: uploads.some((u) => u.file === null && u.error === null),
  }
}
