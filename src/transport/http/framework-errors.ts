/**
 * The one error body ({"error":{"code","message"}}) for what fails before a route runs: Fastify's
 * router (an over-long or undecodable path segment) and Node's HTTP parser (oversized headers,
 * timeouts, garbage), which otherwise answer in their own shapes and echo the path back.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import { ERRORS, type ErrorCode } from '../../protocol/error-codes.js'
import { sendError } from './errors.js'

/** Fastify's `frameworkErrors` option: router failures, answered without quoting the URL. */
export function onFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendError(reply, 'uri_too_long')
  else if (error.code === 'FST_ERR_BAD_URL')
    void sendError(reply, 'invalid_request', 'The URL is not valid (bad percent-encoding).')
  else void sendError(reply, 'internal')
}

const PARSER_ERRORS: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
}

/**
 * Fastify's `clientErrorHandler` option: Node calls it on the raw socket when a request cannot
 * even be parsed, so the answer is written by hand and the connection closed (as Node does).
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset socket is gone; there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code = PARSER_ERRORS[error.code ?? ''] ?? 'invalid_request'
  const { status, message } = ERRORS[code]
  const body = JSON.stringify({
    error: {
      code,
      message: code === 'invalid_request' ? 'The HTTP request is malformed.' : message,
    },
  })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
