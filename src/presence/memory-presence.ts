/** In-process PresenceRegistry: room → user → connectionId → expiresAt, expired lazily (no timers). */
import type { Clock, PresenceEntry, PresenceRegistry } from '../domain/ports.js'

type Connections = Map<string, number>

/**
 * "Live" means not yet expired. An expired entry that no sweep has removed yet still counts
 * for `remove` and `refresh` (no leave has been announced for it), but not for `online` or `add`.
 */
export class MemoryPresence implements PresenceRegistry {
  readonly #rooms = new Map<string, Map<string, Connections>>()

  readonly #clock: Clock

  constructor(clock: Clock) {
    this.#clock = clock
  }

  add(entry: PresenceEntry, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now()
    let users = this.#rooms.get(entry.room)
    if (!users) {
      users = new Map()
      this.#rooms.set(entry.room, users)
    }
    let connections = users.get(entry.user)
    if (!connections) {
      connections = new Map()
      users.set(entry.user, connections)
    }
    dropExpired(connections, now)
    const first = connections.size === 0
    connections.set(entry.connectionId, now + ttlMs)
    return Promise.resolve(first)
  }

  remove(entry: PresenceEntry): Promise<boolean> {
    const users = this.#rooms.get(entry.room)
    const connections = users?.get(entry.user)
    if (!users || !connections?.delete(entry.connectionId)) return Promise.resolve(false)
    dropExpired(connections, this.#clock.now())
    if (connections.size > 0) return Promise.resolve(false)
    users.delete(entry.user)
    if (users.size === 0) this.#rooms.delete(entry.room)
    return Promise.resolve(true)
  }

  // Only extends entries that still exist: a swept entry's leave was already announced,
  // so reviving it silently would show a user online that others saw leave.
  refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<void> {
    const expiresAt = this.#clock.now() + ttlMs
    for (const entry of entries) {
      const connections = this.#rooms.get(entry.room)?.get(entry.user)
      if (connections?.has(entry.connectionId)) connections.set(entry.connectionId, expiresAt)
    }
    return Promise.resolve()
  }

  online(room: string): Promise<string[]> {
    const now = this.#clock.now()
    const users: string[] = []
    for (const [user, connections] of this.#rooms.get(room) ?? []) {
      for (const expiresAt of connections.values()) {
        if (expiresAt > now) {
          users.push(user)
          break
        }
      }
    }
    return Promise.resolve(users.sort())
  }

  sweep(): Promise<Array<{ room: string; user: string }>> {
    const now = this.#clock.now()
    const left: Array<{ room: string; user: string }> = []
    for (const [room, users] of this.#rooms) {
      for (const [user, connections] of users) {
        dropExpired(connections, now)
        if (connections.size === 0) {
          users.delete(user)
          left.push({ room, user })
        }
      }
      if (users.size === 0) this.#rooms.delete(room)
    }
    return Promise.resolve(left)
  }

  close(): Promise<void> {
    this.#rooms.clear()
    return Promise.resolve()
  }
}

function dropExpired(connections: Connections, now: number): void {
  for (const [connectionId, expiresAt] of connections) {
    if (expiresAt <= now) connections.delete(connectionId)
  }
}

export function createMemoryPresence(clock: Clock): MemoryPresence {
  return new MemoryPresence(clock)
}
