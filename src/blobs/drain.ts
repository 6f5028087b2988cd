/** Feeds a put's source to a writer, telling the source's own failure (too large, cut off) from the engine's. */

/** The source failed: its error is `cause`, which the put rejects with unchanged. */
export class SourceFailure extends Error {
  constructor(cause: unknown) {
    super('The blob source failed', { cause })
  }
}

/**
 * Writes each chunk in turn and resolves with the byte count. A failing source rejects with a
 * SourceFailure; a failing write rejects with its own error, after the source is ended (for-await
 * calls its `return`, which stops an upload stream from being read any further).
 */
export async function drain(
  source: AsyncIterable<Uint8Array>,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<number> {
  let size = 0
  let writing = false
  try {
    for await (const chunk of source) {
      writing = true
      await write(chunk)
      writing = false
      size += chunk.byteLength
    }
  } catch (error) {
    throw writing ? error : new SourceFailure(error)
  }
  return size
}

/** What a put rejects with: the source's own error, or `engineError` for anything else. */
export function putFailure(error: unknown, engineError: (error: unknown) => Error): unknown {
  return error instanceof SourceFailure ? error.cause : engineError(error)
}
