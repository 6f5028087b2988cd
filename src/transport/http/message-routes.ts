/** Messages that change, for bots and long-poll clients: edit, delete, react (docs/protocol.md). */
import type { FastifyInstance } from 'fastify'
import { DeleteBody, DeleteQuery, EditBody, MessageParams, ReactBody } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import { parse } from './validate.js'

export function messageRoutes(app: FastifyInstance, ctx: TransportContext): void {
  const auth = { preHandler: requireUser(ctx) }

  app.patch('/api/rooms/:room/messages/:seq', auth, async (request) => {
    const { room, seq } = parse(MessageParams, request.params)
    const { text, cid } = parse(EditBody, request.body)
    return { event: await ctx.chat.edit(signedInUser(request), room, seq, text, cid) }
  })

  app.delete('/api/rooms/:room/messages/:seq', auth, async (request) => {
    const { room, seq } = parse(MessageParams, request.params)
    const fromQuery = parse(DeleteQuery, request.query).cid
    const fromBody = parse(DeleteBody, request.body).cid
    // Without a cid, one per target: deleting again answers with the same event.
    const cid = fromQuery ?? fromBody ?? `delete:${seq}`
    return { event: await ctx.chat.delete(signedInUser(request), room, seq, cid) }
  })

  app.post('/api/rooms/:room/messages/:seq/reactions', auth, async (request) => {
    const { room, seq } = parse(MessageParams, request.params)
    const { emoji, op, cid } = parse(ReactBody, request.body)
    return { event: await ctx.chat.react(signedInUser(request), room, seq, { emoji, op }, cid) }
  })
}
