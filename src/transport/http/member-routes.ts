/** Membership: my rooms, DMs, members and roles, the topic, and read marks (docs/protocol.md). */
import type { FastifyInstance } from 'fastify'
import type { MemberRecord, MyRoomRecord } from '../../domain/ports.js'
import {
  AddMemberBody,
  DmBody,
  MemberParams,
  ReadBody,
  RoomParams,
  SetRoleBody,
  SetTopicBody,
} from '../../protocol/api.js'
import type { MembersResponse, MyRoomsResponse, MyRoomView } from '../../protocol/api.js'
import type { TransportContext } from '../context.js'
import { requireUser, signedInUser } from './auth.js'
import { presentRoom } from './room-routes.js'
import { parse } from './validate.js'

function presentMyRoom(room: MyRoomRecord): MyRoomView {
  const { name, kind, role, lastSeq, readSeq, unread, mentions, members } = room
  return {
    name,
    kind,
    role,
    lastSeq,
    readSeq,
    unread,
    mentions,
    ...(members === undefined ? {} : { members }),
  }
}

function presentMember(member: MemberRecord): MembersResponse['members'][number] {
  return { username: member.username, role: member.role }
}

export function memberRoutes(app: FastifyInstance, ctx: TransportContext): void {
  const auth = { preHandler: requireUser(ctx) }

  app.get('/api/me/rooms', auth, async (request): Promise<MyRoomsResponse> => {
    const rooms = await ctx.membership.myRooms(signedInUser(request))
    return { rooms: rooms.map(presentMyRoom) }
  })

  app.post('/api/dms', auth, async (request, reply) => {
    const { users } = parse(DmBody, request.body)
    const { room, created } = await ctx.dms.open(signedInUser(request), users)
    return reply.code(created ? 201 : 200).send({ room: presentRoom(room) })
  })

  app.get('/api/rooms/:room/members', auth, async (request): Promise<MembersResponse> => {
    const { room } = parse(RoomParams, request.params)
    const members = await ctx.membership.members(signedInUser(request), room)
    return { members: members.map(presentMember) }
  })

  app.post('/api/rooms/:room/members', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    const { username } = parse(AddMemberBody, request.body)
    await ctx.membership.add(signedInUser(request), room, username)
    return reply.code(201).send()
  })

  app.delete('/api/rooms/:room/members/:username', auth, async (request, reply) => {
    const { room, username } = parse(MemberParams, request.params)
    await ctx.membership.remove(signedInUser(request), room, username)
    return reply.code(204).send()
  })

  app.patch('/api/rooms/:room/members/:username', auth, async (request) => {
    const { room, username } = parse(MemberParams, request.params)
    const { role } = parse(SetRoleBody, request.body)
    await ctx.membership.setRole(signedInUser(request), room, username, role)
    return { member: { username, role } }
  })

  app.patch('/api/rooms/:room', auth, async (request) => {
    const { room } = parse(RoomParams, request.params)
    const { topic } = parse(SetTopicBody, request.body)
    return { room: presentRoom(await ctx.membership.setTopic(signedInUser(request), room, topic)) }
  })

  app.post('/api/rooms/:room/read', auth, async (request, reply) => {
    const { room } = parse(RoomParams, request.params)
    const { seq } = parse(ReadBody, request.body)
    await ctx.chat.markRead(signedInUser(request), room, seq)
    return reply.code(204).send()
  })
}
