/** HTTP API bodies, queries and responses (docs/protocol.md), shared with the web client. */
import { z } from 'zod'
import {
  ChatMessage,
  DeleteFrame,
  EditFrame,
  ReactFrame,
  Role,
  RoomKind,
  RoomLogEvent,
  SendFrame,
  TimelineMessage,
} from './frames.js'
import { Password, RoomName, Seq, Username } from './names.js'

export const Credentials = z.strictObject({ username: Username, password: Password })
/** Login accepts any string so that a malformed name gets the same 401 as a wrong password. */
export const LoginBody = z.strictObject({
  username: z.string().max(256),
  password: z.string().max(1024),
})
/** `POST /api/me/password`: the new password follows the registration rules. */
export const ChangePasswordBody = z.strictObject({
  current: z.string().max(1024),
  password: Password,
})
export const UserParams = z.strictObject({ username: Username })
export const Topic = z.string().max(256)
export const CreateRoomBody = z.strictObject({
  name: RoomName,
  visibility: z.enum(['public', 'private']).default('public'),
  topic: Topic.optional(),
})
export const SetTopicBody = z.strictObject({ topic: Topic.nullable() })
export const DmBody = z.strictObject({ users: z.array(Username).min(1).max(64) })
export const AddMemberBody = z.strictObject({ username: Username })
export const SetRoleBody = z.strictObject({ role: Role })
export const ReadBody = z.strictObject({ seq: Seq })
export const MemberParams = z.strictObject({ room: RoomName, username: Username })
export const PostMessageBody = SendFrame.pick({
  text: true,
  cid: true,
  replyTo: true,
  attachments: true,
})
/** `PATCH /api/rooms/:room/messages/:seq`: the frames' fields, with room and target in the path. */
export const EditBody = EditFrame.pick({ text: true, cid: true })
/** `DELETE …/messages/:seq`: the cid is optional (query or body); without one, one per target. */
export const DeleteBody = DeleteFrame.pick({ cid: true }).partial()
export const DeleteQuery = DeleteBody
export const ReactBody = ReactFrame.pick({ emoji: true, op: true, cid: true })

/**
 * Query numbers are plain decimal digits: z.coerce.number would read "" as 0 and "0x10" as 16
 * (Number's own grammar), so a malformed cursor would silently page from somewhere else.
 */
function decimal(pattern: RegExp, rule: string) {
  return z.string().regex(pattern, `must be ${rule}`).transform(Number)
}
const seqParam = decimal(/^\d{1,16}$/, 'a whole number of decimal digits').pipe(
  z.number().max(Number.MAX_SAFE_INTEGER),
)
export const HistoryQuery = z
  .strictObject({
    before: seqParam.optional(),
    after: seqParam.optional(),
    limit: decimal(/^\d{1,3}$/, 'a whole number of decimal digits')
      .pipe(z.number().min(1).max(200))
      .default(50),
    wait: decimal(/^\d{1,2}(\.\d{1,3})?$/, 'a number of seconds like 25 or 2.5')
      .pipe(z.number().max(30))
      .optional(),
  })
  .refine((q) => !(q.before !== undefined && q.after !== undefined), {
    message: 'use either before or after, not both',
  })
  .refine((q) => q.wait === undefined || q.after !== undefined, {
    message: 'wait needs after',
  })
export type HistoryQuery = z.infer<typeof HistoryQuery>

export const RoomParams = z.strictObject({ room: RoomName })
/** A message of a room by its seq, in a path (`/api/rooms/:room/messages/:seq`). */
export const MessageParams = z.strictObject({
  room: RoomName,
  seq: decimal(/^\d{1,16}$/, 'a whole number of decimal digits').pipe(
    z.number().min(1).max(Number.MAX_SAFE_INTEGER),
  ),
})

export const PreviewImageParams = z.strictObject({
  room: RoomName,
  seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
})
/** `url` is the preview's page URL (its `url` field), unique within one message's previews. */
export const PreviewImageQuery = z.strictObject({ url: z.string().min(1).max(2048) })

/** `GET /api/rooms`: a page of rooms in name order, after the cursor `after` (a room name). */
export const ROOM_PAGE_DEFAULT = 100
export const ROOM_PAGE_MAX = 200
export const RoomsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(ROOM_PAGE_MAX).default(ROOM_PAGE_DEFAULT),
  after: RoomName.optional(),
})

export const UserView = z.object({ id: z.string(), username: z.string() })
export type UserView = z.infer<typeof UserView>
export const RoomView = z.object({
  name: z.string(),
  lastSeq: z.number().int(),
  createdAt: z.number(),
  createdBy: z.string().nullable(),
  kind: RoomKind,
  topic: z.string().nullable(),
})
export type RoomView = z.infer<typeof RoomView>
export const MyRoomView = z.object({
  name: z.string(),
  kind: RoomKind,
  role: Role,
  lastSeq: z.number().int(),
  readSeq: z.number().int(),
  unread: z.number().int(),
  mentions: z.number().int(),
  /** DMs: every member's username (the opener included), sorted. */
  members: z.array(z.string()).optional(),
})
export type MyRoomView = z.infer<typeof MyRoomView>
export const MyRoomsResponse = z.object({ rooms: z.array(MyRoomView) })
export type MyRoomsResponse = z.infer<typeof MyRoomsResponse>
export const MemberView = z.object({ username: z.string(), role: Role })
export type MemberView = z.infer<typeof MemberView>
export const MembersResponse = z.object({ members: z.array(MemberView) })
export type MembersResponse = z.infer<typeof MembersResponse>

export const AuthResponse = z.object({ user: UserView, token: z.string(), csrfToken: z.string() })
export type AuthResponse = z.infer<typeof AuthResponse>
/** `admin`: the user is a server admin (ADMIN_USERS), so the client may offer ban and unban. */
export const MeResponse = z.object({ user: UserView, csrfToken: z.string(), admin: z.boolean() })
export type MeResponse = z.infer<typeof MeResponse>
/** A server admin registering someone while registration is closed: no session for the new user. */
export const CreatedUserResponse = z.object({ user: UserView })
export type CreatedUserResponse = z.infer<typeof CreatedUserResponse>
/** `GET /api/session`: like /api/me, but a signed-out visitor is an answer (user null), not a 401. */
export const SessionResponse = z.union([MeResponse, z.object({ user: z.null() })])
export type SessionResponse = z.infer<typeof SessionResponse>
/** `next`: pass it as `after` for the following page; null on the last page. */
export const RoomsResponse = z.object({ rooms: z.array(RoomView), next: z.string().nullable() })
export type RoomsResponse = z.infer<typeof RoomsResponse>
export const RoomResponse = z.object({ room: RoomView })
/** `?before=`: the timeline (messages only); `?after=` and long-polls: the log (every event). */
export const MessagesResponse = z.object({ messages: z.array(TimelineMessage) })
export const LogResponse = z.object({ messages: z.array(RoomLogEvent) })
export const MessageResponse = z.object({ message: ChatMessage })
/** An edit, delete or reaction as stored (or as first stored, for a repeated cid). */
export const EventResponse = z.object({ event: RoomLogEvent })
/** `GET /api/rooms/:room/online`: usernames online in the room (socket or long-poll), sorted. */
export const OnlineResponse = z.object({ online: z.array(z.string()) })
export type OnlineResponse = z.infer<typeof OnlineResponse>
export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
export type ErrorBody = z.infer<typeof ErrorBody>

/** Header that carries the CSRF token on cookie-authenticated state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token'
export const SESSION_COOKIE = 'sid'
