/** The domain's only error type: a catalogue code that each transport maps to a status or frame. */
import { ERRORS, type ErrorCode } from '../protocol/error-codes.js'

export class ChatError extends Error {
  readonly code: ErrorCode
  /** For rate limits: how long until a retry may succeed. */
  readonly retryAfterMs: number | undefined

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { retryAfterMs?: number; cause?: unknown },
  ) {
    super(message ?? ERRORS[code].message, { cause: options?.cause })
    this.name = 'ChatError'
    this.code = code
    this.retryAfterMs = options?.retryAfterMs
  }
}

export function isChatError(error: unknown): error is ChatError {
  return error instanceof ChatError
}
