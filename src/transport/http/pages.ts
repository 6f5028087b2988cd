/** Serves the built web client (web/dist): /, /login and /register all load the same app shell. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

/** Vite puts a content hash in every name under assets/: a changed file is a new URL. */
const HASHED = /[/\\]assets[/\\][^/\\]+-[\w-]{8}\.[\w.]+$/

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
  await app.register(fastifyStatic, {
    root: webDist,
    index: false,
    wildcard: false,
    // The build leaves .br and .gz copies (scripts/precompress.mjs); the Accept-Encoding picks one.
    preCompressed: true,
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
    },
  })
  for (const path of ['/', '/login', '/register']) {
    app.get(path, async (_request, reply) => reply.sendFile('index.html'))
  }
}
