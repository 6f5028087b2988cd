/** Register, log in, log out, who-am-I (wire contract: HTTP API). */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { csrfTokenFor, hashToken, type SignedIn } from '../../domain/accounts.js'
import { ChatError } from '../../domain/errors.js'
import type { RateLimitRule } from '../../domain/ports.js'
import { Credentials, LoginBody, SESSION_COOKIE, type SessionResponse } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { checkOrigin, presentedToken, requireUser, setSessionCookie, signedInUser } from './auth.js'
import { parse } from './validate.js'

export function authRoutes(app: FastifyInstance, ctx: TransportContext): void {
  const throttle = async (key: string, rule: RateLimitRule | undefined): Promise<void> => {
    if (!rule) return
    const waitMs = await ctx.limiter.take(key, rule)
    if (waitMs > 0) throw new ChatError('rate_limited', undefined, { retryAfterMs: waitMs })
  }
  const present = (signedIn: SignedIn) => ({
    user: signedIn.user,
    token: signedIn.token,
    csrfToken: csrfTokenFor(hashToken(signedIn.token)),
  })

  app.post('/api/register', async (request, reply) => {
    checkOrigin(ctx, request) // login CSRF: a foreign page must not sign a browser in
    const body = parse(Credentials, request.body)
    await throttle(`register:ip:${request.ip}`, ctx.limits.register)
    const signedIn = await ctx.accounts.register(body.username, body.password)
    setSessionCookie(ctx, request, reply, signedIn.token)
    return reply.code(201).send(present(signedIn))
  })

  app.post('/api/login', async (request, reply) => {
    checkOrigin(ctx, request)
    const body = parse(LoginBody, request.body)
    await throttle(`login:ip:${request.ip}`, ctx.limits.login)
    await throttle(`login:user:${body.username.toLowerCase()}`, ctx.limits.login)
    const signedIn = await ctx.accounts.login(body.username, body.password)
    setSessionCookie(ctx, request, reply, signedIn.token)
    return reply.code(200).send(present(signedIn))
  })

  app.post('/api/logout', { preHandler: requireUser(ctx) }, async (request, reply) => {
    await ctx.accounts.logout(signedInUser(request).sessionId)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  // The web client asks this on every page load: a signed-out visit must not log a 401 error.
  app.get('/api/session', async (request): Promise<SessionResponse> => {
    const presented = presentedToken(request)
    const user = presented ? await ctx.accounts.authenticate(presented.token) : undefined
    if (!user) return { user: null }
    return {
      user: { id: user.id, username: user.username },
      csrfToken: csrfTokenFor(user.sessionId),
    }
  })

  app.get('/api/me', { preHandler: requireUser(ctx) }, (request: FastifyRequest) => {
    const user = signedInUser(request)
    return {
      user: { id: user.id, username: user.username },
      csrfToken: csrfTokenFor(user.sessionId),
    }
  })
}
