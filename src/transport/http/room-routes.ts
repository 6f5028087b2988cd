/** Rooms and their messages: list, create, who is online, timeline (before), log (after), long-poll (after + wait), post (changes: message-routes.ts). */
import type { FastifyInstance } from 'fastify'
import type { RoomRecord } from '../../domain/ports.js'
import {
  CreateRoomBody,
  HistoryQuery,
  PostMessageBody,
  RoomParams,
  RoomsQuery,
} from '../../protocol/api.js'
import type { OnlineResponse, RoomsResponse, RoomView } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import type { LongPolls } from './long-poll.js'
import { throttle } from './throttle.js'
import { parse } from './validate.js'

export function presentRoom(room: RoomRecord): RoomView {
  return {
    name: room.name,
    lastSeq: room.lastSeq,
    createdAt: room.createdAt,
    createdBy: room.createdBy,
    kind: room.kind,
    topic: room.topic,
  }
}

export function roomRoutes(app: FastifyInstance, ctx: TransportContext, polls: LongPolls): void {
  const auth = { preHandler: requireUser(ctx) }

  app.get('/api/rooms', auth, async (request): Promise<RoomsResponse> => {
    const query = parse(RoomsQuery, request.query)
    const page = await ctx.rooms.list(signedInUser(request), query.limit, query.after)
    return { rooms: page.rooms.map(presentRoom), next: page.next }
  })

  app.post('/api/rooms', auth, async (request, reply) => {
    const { name, visibility, topic } = parse(CreateRoomBody, request.body)
    const user = signedInUser(request)
    await throttle(ctx, `rooms:create:${user.id}`, ctx.limits.createRoom)
    const room = await ctx.rooms.create(user, name, visibility, topic)
    return reply.code(201).send({ room: presentRoom(room) })
  })

  // Its messages go with it; subscribers get an error frame room_not_found (docs/protocol.md).
  app.delete('/api/rooms/:room', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    await ctx.rooms.delete(signedInUser(request), room)
    return reply.code(204).send()
  })

  app.get('/api/rooms/:room', auth, async (request) => {
    const { room } = parse(RoomParams, request.params)
    return { room: presentRoom(await ctx.rooms.get(signedInUser(request), room)) }
  })

  // For clients without a socket (long-poll fallback): presence frames only travel over /chat.
  app.get('/api/rooms/:room/online', auth, async (request): Promise<OnlineResponse> => {
    const { room } = parse(RoomParams, request.params)
    return { online: await ctx.chat.online(signedInUser(request), room) }
  })

  app.get('/api/rooms/:room/messages', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    const query = parse(HistoryQuery, request.query)
    const user = signedInUser(request)
    if (query.after === undefined) {
      return { messages: await ctx.rooms.before(user, room, query.before, query.limit) }
    }
    const ready = await ctx.rooms.after(user, room, query.after, query.limit)
    if (ready.length > 0 || !query.wait) return { messages: ready }
    const gone = new AbortController()
    // The response's close fires when the client goes away before we answer.
    reply.raw.once('close', () => gone.abort())
    const waitMs = query.wait * 1000
    return { messages: await polls.wait(room, user, query.after, query.limit, waitMs, gone.signal) }
  })

  app.post('/api/rooms/:room/messages', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    const body = parse(PostMessageBody, request.body)
    const user = signedInUser(request)
    const { text, cid, replyTo, attachments } = body
    const message = await ctx.chat.send(user, room, text, cid, undefined, { replyTo, attachments })
    return reply.code(201).send({ message })
  })
}
