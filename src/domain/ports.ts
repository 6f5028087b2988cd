/**
 * The domain's ports: storage, fan-out, presence, rate limits, hashing and time.
 * Adapters live in src/store, src/bus and src/security; every Store passes
 * test/contract/store.contract.ts and every Bus test/contract/bus.contract.ts.
 */
import type {
  LinkPreview,
  MemberOp,
  MessageChangeEvent,
  MessageFrame,
  PresenceFrame,
  ReactionOp,
  Role,
  RoomKind,
  RoomLogEvent,
  TimelineMessage,
  TypingEventFrame,
  UserFrame,
} from '../protocol/frames.js'
import type { MessageSearch } from './search-port.js'

export interface UserRecord {
  readonly id: string
  readonly username: string
  readonly passwordHash: string
  readonly createdAt: number
}

/** A user as read back: `bannedAt` is set while a server admin's ban lasts. */
export interface StoredUser extends UserRecord {
  readonly bannedAt: number | null
}

export interface SessionRecord {
  readonly tokenHash: string
  readonly userId: string
  readonly username: string
  readonly createdAt: number
  readonly expiresAt: number
}

/** A session as read back, with its user's ban (a session of a banned user is not valid). */
export interface FoundSession extends SessionRecord {
  readonly bannedAt: number | null
}

export interface RoomRecord {
  readonly name: string
  readonly createdAt: number
  readonly createdBy: string | null
  readonly lastSeq: number
  readonly kind: RoomKind
  readonly topic: string | null
}

export interface NewRoom {
  readonly name: string
  readonly createdAt: number
  /** Username of the creator; null for the lobby. */
  readonly createdBy: string | null
  readonly kind: RoomKind
  readonly topic: string | null
  /** Members from the start (the creator as owner; every DM member), stored without events. */
  readonly members: ReadonlyArray<{ readonly userId: string; readonly role: Role }>
}

export interface MemberRecord {
  readonly userId: string
  readonly username: string
  readonly role: Role
  readonly readSeq: number
}

/** One of a user's rooms as `GET /api/me/rooms` shows it. */
export interface MyRoomRecord {
  readonly name: string
  readonly kind: RoomKind
  readonly role: Role
  readonly lastSeq: number
  readonly readSeq: number
  /** Messages by others after the read mark. */
  readonly unread: number
  /** Messages by others after the read mark that mention the user (stored mentions: the name or @room). */
  readonly mentions: number
  /** DMs only: every member's username, sorted. */
  readonly members?: string[]
}

/**
 * A membership or settings change, stored with its log event in one transaction. The membership
 * row follows the op: join/invite insert `role` (default member) when the subject is not a member,
 * leave/remove delete the row when it is, role updates it when it differs; `room` sets the topic.
 */
export type RoomChange =
  | {
      readonly type: 'member'
      readonly subjectId: string
      readonly subject: string
      readonly op: MemberOp
      readonly role?: Role
    }
  | { readonly type: 'room'; readonly topic: string | null }

export interface ChangeInput {
  readonly id: string
  readonly room: string
  /** Who made the change. */
  readonly userId: string
  readonly username: string
  readonly ts: number
  readonly change: RoomChange
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
  /** The seq of the message this one answers (the domain checked it is a message of the room). */
  readonly replyTo?: number
  /** Resolved mentions: usernames, and "@room" for a room-wide one; absent or empty: none. */
  readonly mentions?: readonly string[]
  /** Ids of files to attach (FileRecord ids), in the order the message shows them. */
  readonly attachments?: readonly string[]
}

/** An uploaded file's record; its bytes are in the BlobStore under the same id. */
export interface FileRecord {
  readonly id: string
  readonly room: string
  readonly uploaderId: string
  /** Made safe by the domain (file-names.ts). */
  readonly name: string
  readonly size: number
  /** Sniffed from the bytes. */
  readonly type: string
  readonly width: number | null
  readonly height: number | null
  readonly createdAt: number
}

/** A file as read back: `messageSeq` is the message it is attached to, null until then. */
export interface StoredFile extends FileRecord {
  readonly messageSeq: number | null
}

export interface AppendResult {
  readonly message: MessageFrame
  /** false when (room, userId, cid) was stored before: `message` is that first copy. */
  readonly created: boolean
}

/** A stored message as the rules of changes, replies and notifications need it. */
export interface StoredMessage {
  readonly seq: number
  readonly userId: string
  readonly username: string
  /** The current text ('' once deleted). */
  readonly text: string
  readonly mentions: readonly string[]
  readonly deleted: boolean
}

/** What a change does to its target message. */
export type MessageChange =
  | { readonly type: 'edit'; readonly text: string; readonly mentions: readonly string[] }
  | { readonly type: 'delete' }
  | { readonly type: 'reaction'; readonly emoji: string; readonly op: ReactionOp }

export interface MessageChangeInput {
  readonly id: string
  readonly room: string
  readonly userId: string
  readonly username: string
  readonly cid: string
  readonly ts: number
  /** The seq of the message changed. */
  readonly target: number
  readonly change: MessageChange
}

export interface MessageChangeResult {
  readonly event: MessageChangeEvent
  /** false when (room, userId, cid) was stored before (or the target was deleted before). */
  readonly created: boolean
}

/** How many different reactions one message may carry. */
export const MAX_REACTION_KINDS = 32

/**
 * Durable storage. Contract:
 * - Files: an append with `attachments` claims each file for its message in the same
 *   transaction, and the message carries them (FileView objects, in the order given). Every id
 *   must name a file uploaded to the same room by the same user and not yet attached, else that
 *   append alone rejects with ChatError('invalid_attachment') and claims nothing; a repeated
 *   cid answers with the first copy as usual. Deleting the message or its room dooms its files
 *   (in the same transaction); doomed files are never found again and are listed by `doomedFiles` until `purgeFiles` removes their
 *   records (after their blobs are gone).
 * - `append` assigns the room's next seq (1, 2, 3, … never reused, no holes) inside the same
 *   transaction that stores the row, and resolves only after commit. A repeated
 *   (room, userId, cid) stores nothing and resolves with the first copy and `created: false`.
 *   An unknown room rejects with ChatError('room_not_found'). A value some engine cannot store
 *   unchanged (U+0000, an unpaired surrogate) or that this engine refuses rejects with
 *   ChatError('unstorable'). Either refusal is that append's alone: the rest of its batch commits.
 * - Names are unique ignoring case: createUser rejects with ChatError('username_taken'),
 *   createRoom with ChatError('room_exists'). Room names arrive already lower-cased.
 * - A session is found with its user's `bannedAt`; deleting a user's sessions (all, or all but
 *   one) and banning take effect for every later read, on every node.
 * - Any failure to reach the engine rejects with ChatError('store_unavailable').
 * - `migrate` is idempotent and safe when several nodes run it at once.
 */
export interface Store extends MessageSearch {
  migrate(): Promise<void>
  createUser(user: UserRecord): Promise<void>
  findUserByName(username: string): Promise<StoredUser | undefined>
  setPasswordHash(userId: string, passwordHash: string): Promise<void>
  /** A ban time, or null to lift the ban. */
  setBanned(userId: string, bannedAt: number | null): Promise<void>
  createSession(session: SessionRecord): Promise<void>
  findSession(tokenHash: string): Promise<FoundSession | undefined>
  extendSession(tokenHash: string, expiresAt: number): Promise<void>
  deleteSession(tokenHash: string): Promise<void>
  /** Deletes every session of the user, except the one whose hash is `exceptTokenHash`. */
  deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<void>
  /** Creates the room and its first members in one transaction. */
  createRoom(room: NewRoom): Promise<RoomRecord>
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
  /** Public rooms plus the rooms `userId` is a member of, in name order, paged like listRooms. */
  listVisibleRooms(userId: string, page?: RoomPage): Promise<RoomRecord[]>
  append(input: AppendInput): Promise<AppendResult>
  /**
   * Appends an edit, delete or reaction event (next seq, group-committed and deduplicated on
   * (room, userId, cid) exactly like `append`) and changes its target message in the same
   * transaction, resolving after commit. Checked in the transaction, after the cid: the target
   * must be a message of the room (message_not_found), an edit's author must be the target's
   * (not_your_message), and a deleted target refuses edits and reactions (message_deleted). An
   * edit replaces the target's text and mentions and sets its editedAt. A delete erases the
   * target's text, mentions, previews, reactions and attachments, and the text and mentions of
   * every earlier edit event of it, for good; deleting a deleted target stores nothing and
   * resolves with the first delete event (created: false). A reaction adds or removes the user
   * from the target's reactions under the emoji (at most MAX_REACTION_KINDS emoji per message:
   * else too_many_reactions); the event is stored even when that changed nothing. A cid already used
   * by another kind of event or target rejects with invalid_request.
   */
  changeMessage(input: MessageChangeInput): Promise<MessageChangeResult>
  /** The message at `seq` of the room as it is now; undefined when that seq is no message. */
  findMessage(room: string, seq: number): Promise<StoredMessage | undefined>
  /** Those of `usernames` (any case) who are members of the room, one each, in no set order. */
  membersNamed(room: string, usernames: readonly string[]): Promise<MemberRecord[]>
  /**
   * Applies a membership or settings change and appends its event (next seq, like `append`) in
   * one transaction; resolves with the event, or undefined when the change changed nothing
   * (joining twice, removing a non-member): then no event is stored. Unknown room: room_not_found.
   */
  applyChange(input: ChangeInput): Promise<RoomLogEvent | undefined>
  /** Adds members without log events (registration's lobby membership); existing ones are kept. */
  addMembers(room: string, members: ReadonlyArray<{ userId: string; role: Role }>): Promise<void>
  findMember(room: string, userId: string): Promise<MemberRecord | undefined>
  /** The room's members, by username. */
  listMembers(room: string): Promise<MemberRecord[]>
  /** The rooms `userId` is a member of, by name, with unread and mention counts for `username`. */
  myRooms(userId: string, username: string): Promise<MyRoomRecord[]>
  /** Moves the member's read mark to `seq` (at most the room's last seq), never back. */
  markRead(room: string, userId: string, seq: number): Promise<void>
  /** The room's log: every event with seq > afterSeq, oldest first, contiguous, at most `limit`. */
  messagesAfter(room: string, afterSeq: number, limit: number): Promise<RoomLogEvent[]>
  /**
   * The timeline: messages only, as they are now (text, editedAt, deleted, reactions, reply count,
   * the answered message's quote), seq < beforeSeq (or the newest), newest first, at most `limit`.
   */
  messagesBefore(
    room: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<TimelineMessage[]>
  /** The room's last seq, 0 when empty; rejects with room_not_found for an unknown room. */
  lastSeq(room: string): Promise<number>
  /** Each known room's last seq in one round trip; unknown rooms are left out. */
  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>>
  /** Records an uploaded file (its blob is stored); unknown room: room_not_found. */
  createFile(file: FileRecord): Promise<void>
  /** The file, unless it is unknown or doomed. */
  findFile(id: string): Promise<StoredFile | undefined>
  /** Dooms files never attached that were uploaded before `uploadedBefore`; resolves with how many. */
  doomUnattachedFiles(uploadedBefore: number): Promise<number>
  /** Up to `limit` ids of doomed files whose records are still here. */
  doomedFiles(limit: number): Promise<string[]>
  /** Removes the records of doomed files (their blobs are already deleted). */
  purgeFiles(ids: readonly string[]): Promise<void>
  /**
   * Attaches a link preview to a stored message; history returns it from then on. false (nothing
   * stored) when there is no such message or it was deleted.
   */
  addPreview(room: string, seq: number, preview: LinkPreview): Promise<boolean>
  /** Resolves when the engine answers; used by /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}

export type BusEvent =
  | { readonly type: 'log'; readonly event: RoomLogEvent }
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

/** Why a session ended; each maps to a WebSocket close code and reason in the transport. */
export type SessionEndReason = 'logout' | 'expired' | 'password_changed' | 'logout_all' | 'banned'

/**
 * A control event on the user channel, never sent to clients: the user's sockets opened with the
 * ended session(s) close. `session`: only that one; `except`: all but that one; neither: all.
 */
export interface SessionsEnded {
  readonly type: 'sessions-ended'
  readonly reason: SessionEndReason
  readonly session?: string
  readonly except?: string
}

/** What travels on a user's channel: frames for the user's sockets, or a session control event. */
export type UserEvent = UserFrame | SessionsEnded

/**
 * Fan-out between nodes. Contract:
 * - `publish` hands the event to this node's handler exactly once (even when the shared
 *   engine is down) and to every other node that watches the event's room, at most once.
 *   It never waits on an unreachable engine for long; a lost remote delivery is repaired by
 *   subscribers filling gaps from the Store, never hidden.
 * - `onReconnect` handlers run after the engine comes back (rooms and users watched again), so
 *   rooms can catch up from the Store and sockets' sessions can be checked again.
 */
export interface Bus {
  publish(event: BusEvent): Promise<void>
  onEvent(handler: (event: BusEvent) => void): void
  watch(room: string): Promise<void>
  unwatch(room: string): Promise<void>
  /**
   * The user channel: like publish, but to this node's user handlers and to every other node
   * that watches the user (by user id), whatever rooms they watch; at most once per node.
   */
  publishToUser(userId: string, event: UserEvent): Promise<void>
  onUserEvent(handler: (userId: string, event: UserEvent) => void): void
  watchUser(userId: string): Promise<void>
  unwatchUser(userId: string): Promise<void>
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
