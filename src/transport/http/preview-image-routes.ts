/** GET a link preview's image from Eddy's own origin: looked up in the stored message, fetched through the SSRF guard, served only as sniffed image bytes. */
import type { FastifyInstance } from 'fastify'
import { ChatError } from '../../domain/errors.js'
import { PreviewImageParams, PreviewImageQuery } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { requireUser } from './auth.js'
import { parse } from './validate.js'

/**
 * The bytes are another site's: even if a browser were talked into rendering them as a
 * document, it gets no scripts, no subresources and an opaque origin.
 */
const IMAGE_CSP = "default-src 'none'; img-src 'self'; sandbox"

export function previewImageRoutes(app: FastifyInstance, ctx: TransportContext): void {
  app.get(
    '/api/rooms/:room/messages/:seq/previews/image',
    { preHandler: requireUser(ctx) },
    async (request, reply) => {
      const { room, seq } = parse(PreviewImageParams, request.params)
      const { url } = parse(PreviewImageQuery, request.query)
      const images = ctx.previewImages
      if (!images) throw new ChatError('not_found', 'Link previews are off.')
      const source = await ctx.rooms.previewImage(room, seq, url)
      let image: { readonly type: string; readonly bytes: Uint8Array }
      try {
        image = await images.fetch(source)
      } catch (error) {
        request.log.info({ err: error }, 'preview image refused')
        throw new ChatError(
          'upstream_error',
          'The preview image could not be fetched as an image.',
          {
            cause: error,
          },
        )
      }
      return reply
        .header('content-type', image.type)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', IMAGE_CSP)
        .header('content-disposition', 'inline')
        .header('cache-control', 'private, max-age=3600')
        .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength))
    },
  )
}
