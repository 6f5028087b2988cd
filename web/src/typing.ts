/** Who is typing where: a user shows as typing for TYPING_VISIBLE_MS after their last typing frame. */
export const TYPING_VISIBLE_MS = 4_000
/** The composer sends a typing frame at most this often while the user types. */
export const TYPING_SEND_INTERVAL_MS = 2_000

/**
 * Times out typing lines: each typing frame (re)starts a TYPING_VISIBLE_MS timer for its user and
 * room, and `onExpire` runs when it ends without a newer frame.
 */
export class TypingExpiry {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>()

  constructor(private readonly onExpire: (room: string, user: string) => void) {}

  saw(room: string, user: string): void {
    const key = `${room}\u0000${user}`
    const previous = this.#timers.get(key)
    if (previous) clearTimeout(previous)
    const timer = setTimeout(() => {
      this.#timers.delete(key)
      this.onExpire(room, user)
    }, TYPING_VISIBLE_MS)
    this.#timers.set(key, timer)
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
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
