/** Maps every thrown error to the one error body: {"error":{"code","message"}} with its status. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isChatError } from '../../domain/errors.js'
import { ERRORS, type ErrorCode } from '../../protocol/error-codes.js'

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply
    .code(ERRORS[code].status)
    .send({ error: { code, message: message ?? ERRORS[code].message } })
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isChatError(error)) {
    if (error.retryAfterMs !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))))
    }
    if (error.code === 'store_unavailable' || error.code === 'internal') {
      request.log.error({ err: error.cause ?? error }, error.message)
    }
    return sendError(reply, error.code, error.message)
  }
  // Fastify's own errors: bad JSON, body too large, unsupported media type, timeouts.
  const status = error.statusCode ?? 500
  if (status === 413) return sendError(reply, 'payload_too_large')
  if (status === 404) return sendError(reply, 'not_found')
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ error: { code: 'invalid_request', message: error.message } })
  }
  request.log.error({ err: error }, 'unhandled error')
  return sendError(reply, 'internal')
}
