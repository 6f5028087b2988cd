/** Request authentication (sid cookie or Bearer) and CSRF protection for cookie-authenticated writes. */
import type {} from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { csrfTokenFor, type AuthenticatedUser } from '../../domain/accounts.js'
import { ChatError } from '../../domain/errors.js'
import { CSRF_HEADER, SESSION_COOKIE } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { isAllowedOrigin } from '../origin.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | undefined
    authByCookie: boolean
  }
}

export interface PresentedToken {
  readonly token: string
  readonly byCookie: boolean
}

export function presentedToken(request: FastifyRequest): PresentedToken | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), byCookie: false }
  const cookie = request.cookies[SESSION_COOKIE]
  return cookie ? { token: cookie, byCookie: true } : undefined
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function checkOrigin(ctx: TransportContext, request: FastifyRequest): void {
  const origin = request.headers.origin
  if (origin === undefined) return
  if (
    !isAllowedOrigin(
      origin,
      request.headers.host,
      request.protocol === 'https',
      ctx.http.allowedOrigins,
    )
  ) {
    throw new ChatError('forbidden_origin')
  }
}

/** preHandler: requires a valid session; cookie-authenticated writes also need Origin + CSRF token. */
export function requireUser(ctx: TransportContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const presented = presentedToken(request)
    const user = presented ? await ctx.accounts.authenticate(presented.token) : undefined
    if (!presented || !user) throw new ChatError('unauthorized')
    request.user = user
    request.authByCookie = presented.byCookie
    if (presented.byCookie && !SAFE_METHODS.has(request.method)) {
      checkOrigin(ctx, request)
      if (request.headers[CSRF_HEADER] !== csrfTokenFor(user.sessionId)) {
        throw new ChatError('csrf_failed')
      }
    }
  }
}

export function signedInUser(request: FastifyRequest): AuthenticatedUser {
  if (!request.user) throw new ChatError('unauthorized')
  return request.user
}

export function setSessionCookie(
  ctx: TransportContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.floor(ctx.http.sessionTtlMs / 1000),
  })
}
