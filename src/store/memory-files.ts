/** The in-memory Store's file records (memory-store.ts): the same rules as the SQL stores, for unit tests. */
import { ChatError } from '../domain/errors.js'
import type { AppendInput, FileRecord, StoredFile } from '../domain/ports.js'
import type { FileView } from '../protocol/files.js'
import { claimAttachments } from './file-rows.js'

interface MemoryFile {
  file: StoredFile
  doomed: boolean
}

export class MemoryFiles {
  readonly #files = new Map<string, MemoryFile>()

  create(file: FileRecord): void {
    this.#files.set(file.id, { file: { ...file, messageSeq: null }, doomed: false })
  }

  find(id: string): StoredFile | undefined {
    const entry = this.#files.get(id)
    return entry && !entry.doomed ? { ...entry.file } : undefined
  }

  /** Throws invalid_attachment, or claims the files for message `seq` and returns their objects. */
  claim(input: AppendInput, seq: number): FileView[] {
    const live = new Map<string, StoredFile>()
    for (const id of input.attachments ?? []) {
      const file = this.find(id)
      if (file) live.set(id, file)
    }
    const views = claimAttachments(input, live, new Set())
    if (views instanceof ChatError) throw views
    for (const view of views) {
      const entry = this.#files.get(view.id)!
      entry.file = { ...entry.file, messageSeq: seq }
    }
    return views
  }

  /** A deleted message's files go with it. */
  doomMessage(room: string, seq: number): void {
    for (const entry of this.#files.values()) {
      if (entry.file.room === room && entry.file.messageSeq === seq) entry.doomed = true
    }
  }

  doomRoom(room: string): void {
    for (const entry of this.#files.values()) if (entry.file.room === room) entry.doomed = true
  }

  doomUnattached(uploadedBefore: number): number {
    let count = 0
    for (const entry of this.#files.values()) {
      const { file } = entry
      if (!entry.doomed && file.messageSeq === null && file.createdAt < uploadedBefore) {
        entry.doomed = true
        count++
      }
    }
    return count
  }

  doomed(limit: number): string[] {
    return [...this.#files.values()]
      .filter((entry) => entry.doomed)
      .slice(0, limit)
      .map((entry) => entry.file.id)
  }

  purge(ids: readonly string[]): void {
    for (const id of ids) if (this.#files.get(id)?.doomed) this.#files.delete(id)
  }
}
