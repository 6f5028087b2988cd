/** Operations: /healthz (200 ok or 503 with what is degraded) and /metrics (Prometheus text). */
import type { FastifyInstance } from 'fastify'
import type { NodeCounts } from '../../metrics.js'
import type { TransportContext } from '../context.js'

export function opsRoutes(
  app: FastifyInstance,
  ctx: TransportContext,
  counts: () => NodeCounts,
): void {
  app.get('/healthz', async (_request, reply) => {
    const { checks, serving } = await ctx.health()
    const degraded = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name)
    const body = {
      status: degraded.length === 0 ? 'ok' : 'degraded',
      degraded,
      checks,
      ...counts(),
    }
    return reply.code(serving ? 200 : 503).send(body)
  })

  const registry = ctx.metrics
  if (registry) {
    // Unauthenticated like /healthz: keep it off the public internet at the proxy (docs/deploy.md).
    app.get('/metrics', async (_request, reply) => {
      const text = await registry.metrics()
      return reply.type(registry.contentType).send(text)
    })
  }
}
