/**
 * Messages the user wrote that the server has not acknowledged yet. Persisted in localStorage so a
 * reload or a crash loses nothing; each keeps its cid, so resending can never store it twice.
 */
import { v7 as uuidv7 } from 'uuid'
import type { FileView } from '../../src/protocol/index.js'

export interface OutboxItem {
  readonly cid: string
  readonly room: string
  readonly text: string
  /** The seq of the message this one answers. */
  readonly replyTo?: number
  /** Files uploaded for this message (already stored on the server; sent by id). */
  readonly attachments?: readonly FileView[]
  readonly createdAt: number
  readonly failed: boolean
}

/** The slice of Storage the outbox needs (localStorage in the app, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export class Outbox {
  #items: OutboxItem[]

  constructor(
    private readonly storage: KeyValueStore,
    private readonly key: string,
  ) {
    this.#items = load(storage, key)
  }

  get items(): readonly OutboxItem[] {
    return this.#items
  }

  add(item: Omit<OutboxItem, 'failed'>): void {
    this.#items = [...this.#items, { ...item, failed: false }]
    this.#save()
  }

  remove(cid: string): OutboxItem | undefined {
    const item = this.#items.find((i) => i.cid === cid)
    if (!item) return undefined
    this.#items = this.#items.filter((i) => i.cid !== cid)
    this.#save()
    return item
  }

  setFailed(cid: string, failed: boolean): void {
    this.#items = this.#items.map((i) => (i.cid === cid ? { ...i, failed } : i))
    this.#save()
  }

  #save(): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.#items))
    } catch {
      // Quota or privacy mode: the outbox still works for this page's lifetime.
    }
  }
}

function load(storage: KeyValueStore, key: string): OutboxItem[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(isItem) : []
  } catch {
    return []
  }
}

function isItem(value: unknown): value is OutboxItem {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v['cid'] === 'string' &&
    typeof v['room'] === 'string' &&
    typeof v['text'] === 'string' &&
    (v['replyTo'] === undefined || typeof v['replyTo'] === 'number') &&
    typeof v['createdAt'] === 'number' &&
    typeof v['failed'] === 'boolean' &&
    (v['attachments'] === undefined || Array.isArray(v['attachments']))
  )
}

/**
 * A fresh client id for a message: a UUIDv7, time-ordered, so the server's (room, user, cid)
 * uniqueness index grows at one end instead of at random places (a random v4 made each stored
 * message about a quarter more expensive in the store benchmark).
 */
export function newCid(): string {
  return uuidv7()
}
