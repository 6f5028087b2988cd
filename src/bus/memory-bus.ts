/** In-process fan-out: the single-node default Bus (no shared engine, so always healthy). */
import type { Bus, BusEvent, UserEvent } from '../domain/ports.js'
import { deliver } from './deliver.js'

export interface MemoryBusOptions {
  /** Called when a handler throws; one bad handler must not starve the others. */
  readonly onHandlerError?: (error: unknown) => void
}

export class MemoryBus implements Bus {
  #handlers: Array<(event: BusEvent) => void> = []
  #userHandlers: Array<(userId: string, event: UserEvent) => void> = []
  #closed = false
  readonly #onHandlerError: (error: unknown) => void

  constructor(options: MemoryBusOptions = {}) {
    this.#onHandlerError =
      options.onHandlerError ?? ((error) => console.error('bus handler', error))
  }

  // Delivery is synchronous, so events reach handlers in publish order with no queue to grow.
  publish(event: BusEvent): Promise<void> {
    if (!this.#closed) deliver(this.#handlers, this.#onHandlerError, event)
    return Promise.resolve()
  }

  onEvent(handler: (event: BusEvent) => void): void {
    this.#handlers.push(handler)
  }

  publishToUser(userId: string, event: UserEvent): Promise<void> {
    if (!this.#closed) deliver(this.#userHandlers, this.#onHandlerError, userId, event)
    return Promise.resolve()
  }

  onUserEvent(handler: (userId: string, event: UserEvent) => void): void {
    this.#userHandlers.push(handler)
  }

  // One process sees every room and user, so there is nothing to subscribe to.
  watch(_room: string): Promise<void> {
    return Promise.resolve()
  }

  unwatch(_room: string): Promise<void> {
    return Promise.resolve()
  }

  watchUser(_userId: string): Promise<void> {
    return Promise.resolve()
  }

  unwatchUser(_userId: string): Promise<void> {
    return Promise.resolve()
  }

  // There is no engine to lose, so reconnect never happens.
  onReconnect(_handler: () => void): void {}

  healthy(): boolean {
    return true
  }

  ping(): Promise<void> {
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.#closed = true
    this.#handlers = []
    this.#userHandlers = []
    return Promise.resolve()
  }
}

/** Builds the single-node bus (every adapter module is used through its create function). */
export function createMemoryBus(options: MemoryBusOptions = {}): MemoryBus {
  return new MemoryBus(options)
}
