/** Server admins' routes (ADMIN_USERS): ban and unban an account (docs/protocol.md, docs/security.md). */
import type { FastifyInstance } from 'fastify'
import { UserParams } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import { parse } from './validate.js'

export function adminRoutes(app: FastifyInstance, ctx: TransportContext): void {
  const auth = { preHandler: requireUser(ctx) }

  app.post('/api/admin/users/:username/ban', auth, async (request, reply) => {
    const { username } = parse(UserParams, request.params)
    await ctx.moderation.ban(signedInUser(request), username)
    return reply.code(204).send()
  })

  app.delete('/api/admin/users/:username/ban', auth, async (request, reply) => {
    const { username } = parse(UserParams, request.params)
    await ctx.moderation.unban(signedInUser(request), username)
    return reply.code(204).send()
  })
}
