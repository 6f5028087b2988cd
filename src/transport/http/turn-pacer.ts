/**
 * Releases a crowd of waiting HTTP answers a few per event-loop turn, so chat frames are read and
 * acked between slices instead of queueing behind all of them.
 */

/**
 * Answers released together (a thousand /api/movies callers sharing one upstream fetch, every
 * parked long-poll woken by one message) would otherwise all be written in one microtask drain:
 * each answer is a socket write, so a thousand of them hold the event loop for tens to hundreds
 * of milliseconds, and every chat message arriving meanwhile waits that long. Running them a
 * slice per `setImmediate` lets the poll phase (WebSocket frames) and the store's group commit
 * run between slices; a lone answer waits one turn at most.
 */
export class TurnPacer {
  readonly #perTurn: number
  #queue: (() => void)[] = []
  #head = 0
  #scheduled = false

  constructor(perTurn = 16) {
    this.#perTurn = perTurn
  }

  /** Runs `task` (which must not throw) in a later turn, at most `perTurn` per turn, in order. */
  run(task: () => void): void {
    this.#queue.push(task)
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#release)
    }
  }

  /** Resolves in a later turn, in its place among the other waiters. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => this.run(resolve))
  }

  readonly #release = (): void => {
    this.#scheduled = false
    const end = Math.min(this.#head + this.#perTurn, this.#queue.length)
    while (this.#head < end) {
      const task = this.#queue[this.#head]!
      this.#queue[this.#head++] = noop // let the finished task's closure be collected
      task()
    }
    if (this.#head === this.#queue.length) {
      this.#queue = []
      this.#head = 0
    } else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#release)
    }
  }
}

function noop(): void {}
