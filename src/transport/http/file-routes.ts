/** Files: upload (multipart, streamed under the size limit) and download (membership checked, served so that no file runs as a page of ours). */
import { Readable } from 'node:stream'
import fastifyMultipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ChatError, isChatError } from '../../domain/errors.js'
import type { IncomingFile } from '../../domain/files.js'
import { RoomParams } from '../../protocol/api.js'
import { FileParams, type UploadResponse } from '../../protocol/files.js'
import { isInlineImage, UPLOAD_FIELD } from '../../protocol/paths.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import { byteRange, contentDisposition, FILE_CACHE_CONTROL, FILE_CSP } from './file-headers.js'
import { throttle } from './throttle.js'
import { parse } from './validate.js'

/** Room for the multipart framing (boundaries, part headers) around the file's own bytes. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024

export async function fileRoutes(app: FastifyInstance, ctx: TransportContext): Promise<void> {
  const auth = { preHandler: requireUser(ctx) }
  const maxBytes = ctx.files.maxBytes
  // Registered here, inside this plugin only: no other route accepts a multipart body.
  await app.register(fastifyMultipart, {
    limits: {
      // One byte over, so the domain sees the limit passed and refuses (busboy would only truncate).
      fileSize: maxBytes + 1,
      files: 1,
      fields: 10,
      fieldSize: 1024,
      parts: 20,
      headerPairs: 50,
    },
  })

  // A refusal before the body was read (401, 404, 413, 429) closes the connection: otherwise
  // Node would read and discard the rest of a large upload to keep the connection alive.
  app.addHook('onSend', async (request, reply) => {
    if (request.method === 'POST' && !request.raw.complete) void reply.header('connection', 'close')
    // Every answer here, errors included, is sandboxed and never sniffed into something else.
    void reply
      .header('content-security-policy', FILE_CSP)
      .header('x-content-type-options', 'nosniff')
  })

  app.post('/api/rooms/:room/files', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    const user = signedInUser(request)
    await throttle(ctx, `files:upload:${user.id}`, ctx.limits.upload)
    const file = await ctx.files.upload(user, room, () => filePart(request, maxBytes))
    const body: UploadResponse = { file }
    return reply.code(201).send(body)
  })

  app.get('/api/rooms/:room/files/:id', auth, async (request, reply) => {
    const { room, id } = parse(FileParams, request.params)
    const opened = await ctx.files.open(signedInUser(request), room, id)
    const { file } = opened
    const range = byteRange(request.headers.range, file.size)
    if (range.kind === 'unsatisfiable') {
      void reply.header('content-range', `bytes */${file.size}`)
      throw new ChatError('range_not_satisfiable')
    }
    const part = range.kind === 'part' ? { start: range.start, end: range.end } : undefined
    const bytes = await opened.read(part)
    const inline = isInlineImage(file.type)
    void reply.headers({
      'cache-control': FILE_CACHE_CONTROL,
      'accept-ranges': 'bytes',
      // Only PNG, JPEG, GIF and WebP are shown; anything else (HTML, SVG…) is a download of bytes.
      'content-type': inline ? file.type : 'application/octet-stream',
      'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name),
    })
    if (part === undefined) {
      return reply.header('content-length', String(file.size)).send(Readable.from(bytes))
    }
    return reply
      .code(206)
      .header('content-range', `bytes ${part.start}-${part.end}/${file.size}`)
      .header('content-length', String(part.end - part.start + 1))
      .send(Readable.from(bytes))
  })
}

/** The upload's file part, once the request is known to be one; undefined when it has none. */
async function filePart(
  request: FastifyRequest,
  maxBytes: number,
): Promise<IncomingFile | undefined> {
  if (!request.isMultipart()) return undefined
  const declared = Number(request.headers['content-length'])
  // A body declared larger than the limit allows is refused before a byte of it is read.
  if (declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw new ChatError('file_too_large')
  let part: Awaited<ReturnType<FastifyRequest['file']>>
  try {
    part = await request.file()
  } catch (error) {
    throw multipartError(error)
  }
  if (part === undefined || part.fieldname !== UPLOAD_FIELD) return undefined
  return { filename: part.filename, source: readPart(part.file) }
}

/** The part's bytes; a client that goes away mid-upload is a cut-off request, not our failure. */
async function* readPart(stream: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk
  } catch (error) {
    throw multipartError(error)
  }
}

function multipartError(error: unknown): ChatError {
  if (isChatError(error)) return error
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  if (status === 413) return new ChatError('file_too_large')
  const reason = error instanceof Error ? error.message : 'unreadable'
  return new ChatError('invalid_request', `The multipart body is malformed (${reason}).`, {
    cause: error,
  })
}
