/** Operations: /healthz (200 ok or 503 with what is degraded). */
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'

export function opsRoutes(app: FastifyInstance, ctx: AppContext, counts: () => object): void {
  app.get('/healthz', async (_request, reply) => {
    const checks: Record<string, 'ok' | 'down'> = {}
    try {
      await withTimeout(ctx.store.ping(), 2_000)
      checks['store'] = 'ok'
    } catch {
      checks['store'] = 'down'
    }
    checks['bus'] = ctx.bus.healthy() ? 'ok' : 'down'
    const degraded = Object.entries(checks).filter(([, state]) => state === 'down')
    const body = {
      status: degraded.length === 0 ? 'ok' : 'degraded',
      degraded: degraded.map(([name]) => name),
      checks,
      ...counts(),
    }
    // Only a dead store makes this node useless; a dead bus still serves its own clients.
    return reply.code(checks['store'] === 'ok' ? 200 : 503).send(body)
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
