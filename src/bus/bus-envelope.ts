/** The Redis bus wire format: a BusEvent tagged with its origin node, parsed with zod on receipt. */
import { z } from 'zod'
import { ChatMessage, LinkPreview } from '../protocol/frames.js'
import type { BusEvent } from '../domain/ports.js'

const BusEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: ChatMessage }),
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

// Short keys: this is serialised once per published event.
const Envelope = z.object({ node: z.string(), event: BusEventSchema })

export function encodeEnvelope(node: string, event: BusEvent): string {
  // `satisfies` breaks the build when ports.ts gains a BusEvent this schema would reject.
  return JSON.stringify({ node, event: event satisfies z.infer<typeof BusEventSchema> })
}

/** The envelope, or an Error naming what was wrong (another version's node, a stray publisher). */
export function decodeEnvelope(payload: string): { node: string; event: BusEvent } | Error {
  let json: unknown
  try {
    json = JSON.parse(payload)
  } catch (error) {
    return new Error('bus payload is not JSON', { cause: error })
  }
  const parsed = Envelope.safeParse(json)
  if (!parsed.success) return new Error(`bus payload rejected: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export function roomOf(event: BusEvent): string {
  return event.type === 'message' ? event.message.room : event.room
}
