/** Who is typing where: a user shows as typing for TYPING_VISIBLE_MS after their last typing frame. */
export const TYPING_VISIBLE_MS = 4_000
/** The composer sends a typing frame at most this often while the user types. */
export const TYPING_SEND_INTERVAL_MS = 2_000

export class TypingTracker {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>()
  readonly #users = new Map<string, Set<string>>()

  constructor(private readonly onChange: (room: string, users: string[]) => void) {}

  saw(room: string, user: string): void {
    const key = `${room}\u0000${user}`
    const previous = this.#timers.get(key)
    if (previous) clearTimeout(previous)
    this.#timers.set(
      key,
      setTimeout(() => this.stopped(room, user), TYPING_VISIBLE_MS),
    )
    const users = this.#users.get(room) ?? new Set()
    if (users.has(user)) return
    users.add(user)
    this.#users.set(room, users)
    this.onChange(room, [...users])
  }

  stopped(room: string, user: string): void {
    const key = `${room}\u0000${user}`
    const timer = this.#timers.get(key)
    if (timer) clearTimeout(timer)
    this.#timers.delete(key)
    const users = this.#users.get(room)
    if (!users?.delete(user)) return
    this.onChange(room, [...users])
  }
}

/** Returns a function that calls `send` at most once per interval (leading edge). */
export function throttle(send: () => void, intervalMs: number, now = () => Date.now()): () => void {
  let last = -Infinity
  return () => {
    const time = now()
    if (time - last < intervalMs) return
    last = time
    send()
  }
}

export function describeTyping(users: readonly string[]): string {
  const [a, b] = users
  if (a === undefined) return ''
  if (b === undefined) return `${a} is typing…`
  if (users.length === 2) return `${a} and ${b} are typing…`
  return 'Several people are typing…'
}
