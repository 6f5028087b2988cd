/** `GET /api/search`: messages the caller may read now, found by substring (docs/protocol.md). */
import type { FastifyInstance } from 'fastify'
import { SearchQuery, type SearchResponse } from '../../protocol/search.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import { throttle } from './throttle.js'
import { parse } from './validate.js'

export function searchRoutes(app: FastifyInstance, ctx: TransportContext): void {
  app.get('/api/search', { preHandler: requireUser(ctx) }, async (request, reply) => {
    const query = parse(SearchQuery, request.query)
    const user = signedInUser(request)
    await throttle(ctx, `search:${user.id}`, ctx.limits.search)
    const page = await ctx.search.find(user, {
      text: query.q,
      limit: query.limit,
      ...(query.room !== undefined ? { room: query.room } : {}),
      ...(query.user !== undefined ? { user: query.user } : {}),
      ...(query.before !== undefined ? { before: query.before } : {}),
    })
    // Results depend on membership at this moment: never reused by any cache.
    void reply.header('Cache-Control', 'no-store')
    const body: SearchResponse = page
    return body
  })
}
