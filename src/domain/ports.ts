/**
 * The domain's ports: storage, fan-out, presence, rate limits, hashing and time.
 * Adapters live in src/store, src/bus and src/security; every Store passes
 * test/contract/store.contract.ts and every Bus test/contract/bus.contract.ts.
 */
import type {
  ChatMessage,
  LinkPreview,
  PresenceFrame,
  TypingEventFrame,
} from '../protocol/frames.js'

export interface UserRecord {
  readonly id: string
  readonly username: string
  readonly passwordHash: string
  readonly createdAt: number
}

export interface SessionRecord {
  readonly tokenHash: string
  readonly userId: string
  readonly username: string
  readonly createdAt: number
  readonly expiresAt: number
}

export interface RoomRecord {
  readonly name: string
  readonly createdAt: number
  readonly createdBy: string | null
  readonly lastSeq: number
}

export interface RoomPage {
  readonly after?: string | undefined
  readonly limit?: number | undefined
}

export interface AppendInput {
  readonly id: string
  readonly room: string
  readonly userId: string
  readonly username: string
  readonly text: string
  readonly cid: string
  readonly ts: number
}

export interface AppendResult {
  readonly message: ChatMessage
  /** false when (room, userId, cid) was stored before: `message` is that first copy. */
  readonly created: boolean
}

/**
 * Durable storage. Contract:
 * - `append` assigns the room's next seq (1, 2, 3, … never reused, no holes) inside the same
 *   transaction that stores the row, and resolves only after commit. A repeated
 *   (room, userId, cid) stores nothing and resolves with the first copy and `created: false`.
 *   An unknown room rejects with ChatError('room_not_found'). A value some engine cannot store
 *   unchanged (U+0000, an unpaired surrogate) or that this engine refuses rejects with
 *   ChatError('unstorable'). Either refusal is that append's alone: the rest of its batch commits.
 * - Names are unique ignoring case: createUser rejects with ChatError('username_taken'),
 *   createRoom with ChatError('room_exists'). Room names arrive already lower-cased.
 * - Any failure to reach the engine rejects with ChatError('store_unavailable').
 * - `migrate` is idempotent and safe when several nodes run it at once.
 */
export interface Store {
  migrate(): Promise<void>
  createUser(user: UserRecord): Promise<void>
  findUserByName(username: string): Promise<UserRecord | undefined>
  createSession(session: SessionRecord): Promise<void>
  findSession(tokenHash: string): Promise<SessionRecord | undefined>
  extendSession(tokenHash: string, expiresAt: number): Promise<void>
  deleteSession(tokenHash: string): Promise<void>
  createRoom(room: Omit<RoomRecord, 'lastSeq'>): Promise<RoomRecord>
  findRoom(name: string): Promise<RoomRecord | undefined>
  /** Rooms in name order: those named after `page.after` (all when absent), at most `page.limit`. */
  listRooms(page?: RoomPage): Promise<RoomRecord[]>
  /** How many existing rooms `username` created (the per-user room cap counts these). */
  countRoomsCreatedBy(username: string): Promise<number>
  /**
   * Removes the room and all its messages in one transaction; false when there was no such room.
   * Appends racing with it either commit before (and are removed with it) or reject with
   * room_not_found.
   */
  deleteRoom(name: string): Promise<boolean>
  append(input: AppendInput): Promise<AppendResult>
  /** Messages with seq > afterSeq, oldest first, at most `limit`. */
  messagesAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]>
  /** Messages with seq < beforeSeq (or the newest when undefined), newest first, at most `limit`. */
  messagesBefore(room: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessage[]>
  /** The room's last seq, 0 when empty; rejects with room_not_found for an unknown room. */
  lastSeq(room: string): Promise<number>
  /** Each known room's last seq in one round trip; unknown rooms are left out. */
  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>>
  /** Attaches a link preview to a stored message; history returns it from then on. */
  addPreview(room: string, seq: number, preview: LinkPreview): Promise<void>
  /** Resolves when the engine answers; used by /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}

export type BusEvent =
  | { readonly type: 'message'; readonly message: ChatMessage }
  | PresenceFrame
  | TypingEventFrame
  | {
      readonly type: 'preview'
      readonly room: string
      readonly seq: number
      readonly preview: LinkPreview
    }
  /** The room was deleted: every node ends its subscriptions to it. */
  | { readonly type: 'room_deleted'; readonly room: string }

/**
 * Fan-out between nodes. Contract:
 * - `publish` hands the event to this node's handler exactly once (even when the shared
 *   engine is down) and to every other node that watches the event's room, at most once.
 *   It never waits on an unreachable engine for long; a lost remote delivery is repaired by
 *   subscribers filling gaps from the Store, never hidden.
 * - `onReconnect` handlers run after the engine comes back, so rooms can catch up from the Store.
 */
export interface Bus {
  publish(event: BusEvent): Promise<void>
  onEvent(handler: (event: BusEvent) => void): void
  watch(room: string): Promise<void>
  unwatch(room: string): Promise<void>
  onReconnect(handler: () => void): void
  /** false while the shared engine is unreachable (single-node buses are always healthy). */
  healthy(): boolean
  /**
   * Resolves once an event has made the round trip through the shared engine and back (publish
   * and subscribe both work); rejects when it has not within `timeoutMs`. A connection can look
   * up while the engine answers nothing (a blackholed network, a paused server).
   */
  ping(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export interface PresenceEntry {
  readonly room: string
  readonly user: string
  /** One per WebSocket connection, or one per long-polling user. */
  readonly connectionId: string
}

/**
 * Who is online in which room, across nodes. Entries expire unless refreshed, so a dead node's
 * or a silent long-poller's users are seen to leave within a bounded time.
 */
export interface PresenceRegistry {
  /** true when this is the user's first live entry in the room (a "join" to announce). */
  add(entry: PresenceEntry, ttlMs: number): Promise<boolean>
  /** true when the user has no live entry left in the room (a "leave" to announce). */
  remove(entry: PresenceEntry): Promise<boolean>
  refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<void>
  /** The room's users with a live entry on any node: sorted, each once (the contract suite checks). */
  online(room: string): Promise<string[]>
  /** Drops expired entries; returns the (room, user) pairs that left because of it. */
  sweep(): Promise<Array<{ room: string; user: string }>>
  close(): Promise<void>
}

export interface RateLimitRule {
  /** Burst size. */
  readonly capacity: number
  readonly refillPerSecond: number
}

export interface RateLimiter {
  /** Takes one token for `key`; resolves with 0 when allowed, else the ms until one is free. */
  take(key: string, rule: RateLimitRule): Promise<number>
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(hash: string, password: string): Promise<boolean>
}

export interface Clock {
  now(): number
}

/** The few log calls the domain makes; the composition root passes pino. */
export interface Logger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

/**
 * What the domain reports for /metrics; the composition root passes the Prometheus adapter.
 * Called on the hot path, so implementations must be cheap and must not throw.
 */
export interface ChatMetrics {
  /** One store.append finished; `created` is false for a deduplicated repeat (same cid). */
  messageStored(seconds: number, created: boolean): void
  /** One live message was written to `recipients` local subscribers in `seconds`. */
  broadcast(recipients: number, seconds: number): void
}

export const noMetrics: ChatMetrics = {
  messageStored() {},
  broadcast() {},
}
