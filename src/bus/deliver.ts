/** Hands one event to every local handler, so a throwing handler cannot starve the others. */

export function deliver<Args extends unknown[]>(
  handlers: ReadonlyArray<(...args: Args) => void>,
  onHandlerError: (error: unknown) => void,
  ...args: Args
): void {
  for (const handler of handlers) {
    try {
      handler(...args)
    } catch (error) {
      onHandlerError(error)
    }
  }
}
