/** Serves the built web client (web/dist): /, /login and /register all load the same app shell. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

export async function pages(app: FastifyInstance, webDist = WEB_DIST): Promise<void> {
  if (!existsSync(webDist)) {
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The web client is not built: run `npm run build` (npm start does it for you).'),
    )
    return
  }
  await app.register(fastifyStatic, { root: webDist, index: false, wildcard: false })
  for (const path of ['/', '/login', '/register']) {
    app.get(path, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html'),
    )
  }
}
