/** GET /api/movies: the tutorial's hot-movies list through the shared upstream client (502 on failure). */
import type { FastifyInstance } from 'fastify'
import { ChatError } from '../../domain/errors.js'
import type { TransportContext } from '../context.js'
import { requireUser } from './auth.js'
import type { TurnPacer } from './turn-pacer.js'

export function movieRoutes(app: FastifyInstance, ctx: TransportContext, pacer: TurnPacer): void {
  // The cache hands every waiting request the same object: serialise it once, not per request,
  // so a thousand answers released together do not stall the event loop.
  const serialised = new WeakMap<object, string>()
  app.get('/api/movies', { preHandler: requireUser(ctx) }, async (_request, reply) => {
    const movies = ctx.movies
    if (!movies) throw new ChatError('upstream_error', 'The movies upstream is not configured.')
    try {
      const json = await movies.get()
      // One upstream answer releases every caller at once: write them a slice per turn.
      await pacer.turn()
      if (typeof json !== 'object' || json === null) return json
      let body = serialised.get(json)
      if (body === undefined) {
        body = JSON.stringify(json)
        serialised.set(json, body)
      }
      return reply.type('application/json; charset=utf-8').send(body)
    } catch (error) {
      ctx.log.warn({ err: error }, 'movies upstream failed')
      throw new ChatError('upstream_error', undefined, { cause: error })
    }
  })
}
