/**
 * Register (open, or closed to all but server admins), log in, log out (here or everywhere),
 * change password, who-am-I (wire contract: HTTP API).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { csrfTokenFor, hashToken, type SignedIn } from '../../domain/accounts.js'
import {
  ChangePasswordBody,
  Credentials,
  LoginBody,
  SESSION_COOKIE,
  type SessionResponse,
} from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { checkOrigin, presentedToken, requireUser, setSessionCookie, signedInUser } from './auth.js'
import { throttle, waitFor } from './throttle.js'
import { parse } from './validate.js'

export function authRoutes(app: FastifyInstance, ctx: TransportContext): void {
  /**
   * Guessing is refused per address and per (username, address) pair. The username as a whole
   * is only slowed down past its ceiling: refusing it would let anyone lock its owner out.
   */
  const throttleLogin = async (username: string, ip: string): Promise<void> => {
    const limits = ctx.limits.login
    if (!limits) return
    // JSON keeps keys unambiguous (names and IPv6 addresses hold ':') and escapes lone surrogates.
    const name = JSON.stringify(username.toLowerCase())
    await throttle(ctx, `login:ip:${ip}`, limits.perIp)
    await throttle(ctx, `login:pair:${JSON.stringify([ip, name])}`, limits.perPair)
    if ((await waitFor(ctx, `login:user:${name}`, limits.perUser)) > 0) {
      await sleep(limits.slowdownMs)
    }
  }
  const present = (signedIn: SignedIn) => ({
    user: signedIn.user,
    token: signedIn.token,
    csrfToken: csrfTokenFor(hashToken(signedIn.token)),
  })

  app.post('/api/register', async (request, reply) => {
    checkOrigin(ctx, request) // login CSRF: a foreign page must not sign a browser in
    const body = parse(Credentials, request.body)
    await throttle(ctx, `register:ip:${request.ip}`, ctx.limits.register)
    if (ctx.accounts.registration === 'closed') {
      // A signed-in server admin creates the account and stays signed in as themself; anyone
      // else falls through to register, which refuses all but the ADMIN_USERS names.
      const presented = presentedToken(request)
      const actor = presented ? await ctx.accounts.authenticate(presented.token) : undefined
      if (actor && ctx.moderation.isAdmin(actor.username)) {
        await requireUser(ctx)(request) // the CSRF check for a cookie-authenticated admin
        const user = await ctx.accounts.createFor(actor, body.username, body.password)
        return reply.code(201).send({ user })
      }
    }
    const signedIn = await ctx.accounts.register(body.username, body.password)
    setSessionCookie(ctx, request, reply, signedIn.token)
    return reply.code(201).send(present(signedIn))
  })

  app.post('/api/login', async (request, reply) => {
    checkOrigin(ctx, request)
    const body = parse(LoginBody, request.body)
    await throttleLogin(body.username, request.ip)
    const signedIn = await ctx.accounts.login(body.username, body.password)
    setSessionCookie(ctx, request, reply, signedIn.token)
    return reply.code(200).send(present(signedIn))
  })

  app.post('/api/logout', { preHandler: requireUser(ctx) }, async (request, reply) => {
    await ctx.accounts.logout(signedInUser(request))
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  app.post('/api/logout/all', { preHandler: requireUser(ctx) }, async (request, reply) => {
    await ctx.accounts.logoutEverywhere(signedInUser(request))
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  app.post('/api/me/password', { preHandler: requireUser(ctx) }, async (request, reply) => {
    const body = parse(ChangePasswordBody, request.body)
    await ctx.accounts.changePassword(signedInUser(request), body.current, body.password)
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
      admin: ctx.moderation.isAdmin(user.username),
    }
  })

  app.get('/api/me', { preHandler: requireUser(ctx) }, (request: FastifyRequest) => {
    const user = signedInUser(request)
    return {
      user: { id: user.id, username: user.username },
      csrfToken: csrfTokenFor(user.sessionId),
      admin: ctx.moderation.isAdmin(user.username),
    }
  })
}
