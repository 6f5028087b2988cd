/** WebSocket /chat frames: the tagged unions both ends parse and build (docs/protocol.md). */
import { z } from 'zod'
import { Attachments, FileView } from './files.js'
import { Cid, MessageText, RoomName, Seq } from './names.js'

export const JoinFrame = z.strictObject({
  type: z.literal('join'),
  room: RoomName,
  since: Seq.optional(),
})
export const LeaveFrame = z.strictObject({ type: z.literal('leave'), room: RoomName })
export const SendFrame = z.strictObject({
  type: z.literal('send'),
  room: RoomName,
  text: MessageText,
  cid: Cid,
  /** Ids of files the sender uploaded to this room and has not attached yet. */
  attachments: Attachments.optional(),
})
export const TypingFrame = z.strictObject({ type: z.literal('typing'), room: RoomName })
/** Moves the sender's read mark in the room forward (never back); not acked. */
export const ReadFrame = z.strictObject({ type: z.literal('read'), room: RoomName, seq: Seq })

export const ClientFrame = z.discriminatedUnion('type', [
  JoinFrame,
  LeaveFrame,
  SendFrame,
  TypingFrame,
  ReadFrame,
])
export type ClientFrame = z.infer<typeof ClientFrame>
export type ClientFrameType = ClientFrame['type']
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'join',
  'leave',
  'send',
  'typing',
  'read',
]

export const LinkPreview = z.object({
  url: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  image: z.string().nullable(),
})
export type LinkPreview = z.infer<typeof LinkPreview>

/** A stored chat message as every client sees it, over WebSocket, long-poll and history. */
export const ChatMessage = z.object({
  room: z.string(),
  seq: z.number().int(),
  id: z.string(),
  user: z.string(),
  text: z.string(),
  ts: z.number(),
  cid: z.string(),
  previews: z.array(LinkPreview).optional(),
  /** The files the message carries, when it carries any. */
  attachments: z.array(FileView).optional(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

export const JoinedFrame = z.object({
  type: z.literal('joined'),
  room: z.string(),
  seq: z.number().int(),
  online: z.array(z.string()),
})
export const MessageFrame = ChatMessage.extend({ type: z.literal('message') })
export const RoomKind = z.enum(['public', 'private', 'dm'])
export type RoomKind = z.infer<typeof RoomKind>
export const Role = z.enum(['owner', 'admin', 'member'])
export type Role = z.infer<typeof Role>
export const MemberOp = z.enum(['join', 'invite', 'leave', 'remove', 'role'])
export type MemberOp = z.infer<typeof MemberOp>
/** Log event fields every room event shares; `cid` only when a client frame caused it. */
const LogEventBase = {
  room: z.string(),
  seq: z.number().int(),
  user: z.string(),
  ts: z.number(),
  cid: z.string().optional(),
}
/** A membership change in the room's log: `user` did `op` to `subject`. */
export const MemberEventFrame = z.object({
  type: z.literal('member'),
  ...LogEventBase,
  subject: z.string(),
  op: MemberOp,
  role: Role.optional(),
})
/** Changed room settings in the room's log. */
export const RoomEventFrame = z.object({
  type: z.literal('room'),
  ...LogEventBase,
  topic: z.string().nullable().optional(),
})
/** One entry of a room's log: what `join` with `since`, `?after=` and long-polls return, in seq order. */
export const RoomLogEvent = z.discriminatedUnion('type', [
  MessageFrame,
  MemberEventFrame,
  RoomEventFrame,
])
export type RoomLogEvent = z.infer<typeof RoomLogEvent>
export const AckFrame = z.object({
  type: z.literal('ack'),
  cid: z.string(),
  seq: z.number().int(),
  room: z.string(),
})
export const PresenceFrame = z.object({
  type: z.literal('presence'),
  room: z.string(),
  user: z.string(),
  event: z.enum(['join', 'leave']),
})
export const TypingEventFrame = z.object({
  type: z.literal('typing'),
  room: z.string(),
  user: z.string(),
})
export const PreviewFrame = LinkPreview.extend({
  type: z.literal('preview'),
  room: z.string(),
  seq: z.number().int(),
})
/** The subscription ended: asked for (`leave`), or `reason` says why the server ended it. */
export const LeftFrame = z.object({
  type: z.literal('left'),
  room: z.string(),
  reason: z.enum(['removed', 'left']).optional(),
})
/** User channel: someone mentioned the user, or wrote in one of the user's DMs. */
export const NotifyFrame = z.object({
  type: z.literal('notify'),
  kind: z.enum(['mention', 'dm']),
  room: z.string(),
  seq: z.number().int(),
  user: z.string(),
  text: z.string(),
})
/** User channel: the user's read mark in a room moved (on any of the user's devices). */
export const ReadMarkFrame = z.object({
  type: z.literal('read'),
  room: z.string(),
  seq: z.number().int(),
})
/** User channel: the user was added to or removed from a room. */
export const MembershipFrame = z.object({
  type: z.literal('membership'),
  room: z.string(),
  op: z.enum(['added', 'removed']),
  kind: z.enum(['public', 'private', 'dm']),
})
/** What the user channel delivers to every socket of one user, whatever rooms it joined. */
export const UserFrame = z.discriminatedUnion('type', [NotifyFrame, ReadMarkFrame, MembershipFrame])
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  cid: z.string().optional(),
  room: z.string().optional(),
})

export const ServerFrame = z.discriminatedUnion('type', [
  JoinedFrame,
  MessageFrame,
  MemberEventFrame,
  RoomEventFrame,
  AckFrame,
  PresenceFrame,
  TypingEventFrame,
  PreviewFrame,
  LeftFrame,
  NotifyFrame,
  ReadMarkFrame,
  MembershipFrame,
  ErrorFrame,
])
export type ServerFrame = z.infer<typeof ServerFrame>
export type JoinedFrame = z.infer<typeof JoinedFrame>
export type MessageFrame = z.infer<typeof MessageFrame>
export type MemberEventFrame = z.infer<typeof MemberEventFrame>
export type RoomEventFrame = z.infer<typeof RoomEventFrame>
export type LeftFrame = z.infer<typeof LeftFrame>
export type AckFrame = z.infer<typeof AckFrame>
export type PresenceFrame = z.infer<typeof PresenceFrame>
export type TypingEventFrame = z.infer<typeof TypingEventFrame>
export type PreviewFrame = z.infer<typeof PreviewFrame>
export type ErrorFrame = z.infer<typeof ErrorFrame>
export type NotifyFrame = z.infer<typeof NotifyFrame>
export type ReadMarkFrame = z.infer<typeof ReadMarkFrame>
export type MembershipFrame = z.infer<typeof MembershipFrame>
export type UserFrame = z.infer<typeof UserFrame>
