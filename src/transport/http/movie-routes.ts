/** GET /api/movies: the tutorial's hot-movies list through the shared upstream client (502 on failure). */
import type { FastifyInstance } from 'fastify'
import { ChatError } from '../../domain/errors.js'
import type { AppContext } from '../context.js'
import { requireUser } from './auth.js'

export function movieRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/movies', { preHandler: requireUser(ctx) }, async () => {
    const movies = ctx.upstreams.movies
    if (!movies) throw new ChatError('upstream_error', 'The movies upstream is not configured.')
    try {
      return await movies.get()
    } catch (error) {
      ctx.log.warn({ err: error }, 'movies upstream failed')
      throw new ChatError('upstream_error', undefined, { cause: error })
    }
  })
}
