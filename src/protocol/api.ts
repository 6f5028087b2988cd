/** HTTP API bodies, queries and responses (docs/protocol.md), shared with the web client. */
import { z } from 'zod'
import { ChatMessage } from './frames.js'
import { Cid, MessageText, Password, RoomName, Username } from './names.js'

export const Credentials = z.strictObject({ username: Username, password: Password })
/** Login accepts any string so that a malformed name gets the same 401 as a wrong password. */
export const LoginBody = z.strictObject({
  username: z.string().max(256),
  password: z.string().max(1024),
})
export const CreateRoomBody = z.strictObject({ name: RoomName })
export const PostMessageBody = z.strictObject({ text: MessageText, cid: Cid })

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

export const UserView = z.object({ id: z.string(), username: z.string() })
export type UserView = z.infer<typeof UserView>
export const RoomView = z.object({
  name: z.string(),
  lastSeq: z.number().int(),
  createdAt: z.number(),
  createdBy: z.string().nullable(),
})
export type RoomView = z.infer<typeof RoomView>

export const AuthResponse = z.object({ user: UserView, token: z.string(), csrfToken: z.string() })
export type AuthResponse = z.infer<typeof AuthResponse>
export const MeResponse = z.object({ user: UserView, csrfToken: z.string() })
export type MeResponse = z.infer<typeof MeResponse>
/** `GET /api/session`: like /api/me, but a signed-out visitor is an answer (user null), not a 401. */
export const SessionResponse = z.union([MeResponse, z.object({ user: z.null() })])
export type SessionResponse = z.infer<typeof SessionResponse>
export const RoomsResponse = z.object({ rooms: z.array(RoomView) })
export const RoomResponse = z.object({ room: RoomView })
export const MessagesResponse = z.object({ messages: z.array(ChatMessage) })
export const MessageResponse = z.object({ message: ChatMessage })
/** `GET /api/rooms/:room/online`: usernames online in the room (socket or long-poll), sorted. */
export const OnlineResponse = z.object({ online: z.array(z.string()) })
export type OnlineResponse = z.infer<typeof OnlineResponse>
export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
export type ErrorBody = z.infer<typeof ErrorBody>

/** Header that carries the CSRF token on cookie-authenticated state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token'
export const SESSION_COOKIE = 'sid'
