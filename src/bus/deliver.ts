/** Hands one event to every local handler, so a throwing handler cannot starve the others. */
import type { BusEvent } from '../domain/ports.js'

export function deliver(
  handlers: ReadonlyArray<(event: BusEvent) => void>,
  event: BusEvent,
  onHandlerError: (error: unknown) => void,
): void {
  for (const handler of handlers) {
    try {
      handler(event)
    } catch (error) {
      onHandlerError(error)
    }
  }
}
