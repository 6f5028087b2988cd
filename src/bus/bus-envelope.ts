/**
 * The Redis bus wire format: a room's BusEvent or a user channel's UserEvent, tagged with its
 * origin node, parsed with zod on receipt.
 */
import { z } from 'zod'
import { LinkPreview, RoomLogEvent, UserFrame } from '../protocol/frames.js'
import type { BusEvent, UserEvent } from '../domain/ports.js'

const BusEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log'), event: RoomLogEvent }),
  z.object({
    type: z.literal('presence'),
    room: z.string(),
    user: z.string(),
    event: z.enum(['join', 'leave']),
  }),
  z.object({ type: z.literal('typing'), room: z.string(), user: z.string() }),
  z.object({
    type: z.literal('preview'),
    room: z.string(),
    seq: z.number().int(),
    preview: LinkPreview,
  }),
  z.object({ type: z.literal('room_deleted'), room: z.string() }),
])

const SessionsEndedSchema = z.object({
  type: z.literal('sessions-ended'),
  reason: z.enum(['logout', 'expired', 'password_changed', 'logout_all', 'banned']),
  session: z.string().optional(),
  except: z.string().optional(),
})

const UserEventSchema = z.union([UserFrame, SessionsEndedSchema])

// Short keys: this is serialised once per published event. `user` marks a user-channel event.
const Envelope = z.union([
  z.object({ node: z.string(), event: BusEventSchema }),
  z.object({ node: z.string(), user: z.string(), event: UserEventSchema }),
])

export type DecodedEnvelope =
  | { readonly node: string; readonly event: BusEvent; readonly user?: undefined }
  | { readonly node: string; readonly user: string; readonly event: UserEvent }

export function encodeEnvelope(node: string, event: BusEvent): string {
  // `satisfies` breaks the build when ports.ts gains a BusEvent this schema would reject.
  return JSON.stringify({ node, event: event satisfies z.input<typeof BusEventSchema> })
}

export function encodeUserEnvelope(node: string, user: string, event: UserEvent): string {
  return JSON.stringify({ node, user, event: event satisfies z.input<typeof UserEventSchema> })
}

/** The envelope, or an Error naming what was wrong (another version's node, a stray publisher). */
export function decodeEnvelope(payload: string): DecodedEnvelope | Error {
  let json: unknown
  try {
    json = JSON.parse(payload)
  } catch (error) {
    return new Error('bus payload is not JSON', { cause: error })
  }
  const parsed = Envelope.safeParse(json)
  if (!parsed.success) return new Error(`bus payload rejected: ${z.prettifyError(parsed.error)}`)
  const data = parsed.data
  return 'user' in data
    ? { node: data.node, user: data.user, event: toUserEvent(data.event) }
    : { node: data.node, event: data.event }
}

export function roomOf(event: BusEvent): string {
  return event.type === 'log' ? event.event.room : event.room
}

// zod's output spells an absent optional key as `key?: string | undefined`; the port's type says
// absent means absent, so undefined keys are dropped rather than cast.
function toUserEvent(event: z.output<typeof UserEventSchema>): UserEvent {
  if (event.type !== 'sessions-ended') return event
  const { session, except, ...rest } = event
  return {
    ...rest,
    ...(session === undefined ? {} : { session }),
    ...(except === undefined ? {} : { except }),
  }
}
