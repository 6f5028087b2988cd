/** WebSocket /chat frames: the tagged unions both ends parse and build (docs/protocol.md). */
import { z } from 'zod'
import { MAX_REACTION_LENGTH } from './emoji.js'
import { Attachments, FileView } from './files.js'
import { Cid, MessageText, RoomName, Seq } from './names.js'

/** A seq that names an event of the room's log (the first is 1). */
const TargetSeq = Seq.min(1)

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
  /** The seq of the message this one answers, in the same room. */
  replyTo: TargetSeq.optional(),
  /** Ids of files the sender uploaded to this room and has not attached yet. */
  attachments: Attachments.optional(),
})
/** Replaces the text of one of your own messages. */
export const EditFrame = z.strictObject({
  type: z.literal('edit'),
  room: RoomName,
  target: TargetSeq,
  text: MessageText,
  cid: Cid,
})
/** Deletes a message: your own, or any as a room owner or admin or a server admin. */
export const DeleteFrame = z.strictObject({
  type: z.literal('delete'),
  room: RoomName,
  target: TargetSeq,
  cid: Cid,
})
export const ReactionOp = z.enum(['add', 'remove'])
/** Adds or removes your reaction; `emoji` is one emoji or a listed `:name:` (emoji.ts). */
export const ReactFrame = z.strictObject({
  type: z.literal('react'),
  room: RoomName,
  target: TargetSeq,
  emoji: z.string().min(1).max(MAX_REACTION_LENGTH),
  op: ReactionOp,
  cid: Cid,
})
export const TypingFrame = z.strictObject({ type: z.literal('typing'), room: RoomName })
/** Moves the sender's read mark in the room forward (never back); not acked. */
export const ReadFrame = z.strictObject({ type: z.literal('read'), room: RoomName, seq: Seq })

export const ClientFrame = z.discriminatedUnion('type', [
  JoinFrame,
  LeaveFrame,
  SendFrame,
  EditFrame,
  DeleteFrame,
  ReactFrame,
  TypingFrame,
  ReadFrame,
])
export type ClientFrame = z.infer<typeof ClientFrame>
export type ClientFrameType = ClientFrame['type']
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'join',
  'leave',
  'send',
  'edit',
  'delete',
  'react',
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

/**
 * A stored chat message as every client sees it, over WebSocket, long-poll and history: as it is
 * now when read from storage (current text, `editedAt`; `deleted` with empty text once deleted).
 * `mentions` is always sent by this server (usernames, and "@room" for a room-wide mention).
 */
export const ChatMessage = z.object({
  room: z.string(),
  seq: z.number().int(),
  id: z.string(),
  user: z.string(),
  text: z.string(),
  ts: z.number(),
  cid: z.string(),
  mentions: z.array(z.string()).optional(),
  replyTo: z.number().int().optional(),
  editedAt: z.number().optional(),
  deleted: z.boolean().optional(),
  previews: z.array(LinkPreview).optional(),
  /** The files the message carries, when it carries any. */
  attachments: z.array(FileView).optional(),
})
export type ChatMessage = z.infer<typeof ChatMessage>
/** Who reacted with what: emoji → usernames, in the order they reacted. */
export const Reactions = z.record(z.string(), z.array(z.string()))
export type Reactions = z.infer<typeof Reactions>
/** The answered message as it is now, for a reply's quote: its start, or `deleted`. */
export const ReplyQuote = z.object({
  user: z.string(),
  text: z.string(),
  deleted: z.boolean(),
})
export type ReplyQuote = z.infer<typeof ReplyQuote>
/** A message in the timeline (`?before=`): as it is now, with its reactions and reply count. */
export const TimelineMessage = ChatMessage.extend({
  type: z.literal('message'),
  mentions: z.array(z.string()),
  deleted: z.boolean(),
  reactions: Reactions,
  replies: z.number().int(),
  quote: ReplyQuote.optional(),
})
export type TimelineMessage = z.infer<typeof TimelineMessage>

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
/** The target message's text is now `text` (its mentions `mentions`). */
export const EditEventFrame = z.object({
  type: z.literal('edit'),
  ...LogEventBase,
  target: z.number().int(),
  text: z.string(),
  mentions: z.array(z.string()),
})
/** The target message was deleted: its text is gone for good, a tombstone stays. */
export const DeleteEventFrame = z.object({
  type: z.literal('delete'),
  ...LogEventBase,
  target: z.number().int(),
})
/** `user` added or removed their reaction `emoji` to the target message. */
export const ReactionEventFrame = z.object({
  type: z.literal('reaction'),
  ...LogEventBase,
  target: z.number().int(),
  emoji: z.string(),
  op: ReactionOp,
})
/** One entry of a room's log: what `join` with `since`, `?after=` and long-polls return, in seq order. */
export const RoomLogEvent = z.discriminatedUnion('type', [
  MessageFrame,
  EditEventFrame,
  DeleteEventFrame,
  ReactionEventFrame,
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
  EditEventFrame,
  DeleteEventFrame,
  ReactionEventFrame,
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
export type EditEventFrame = z.infer<typeof EditEventFrame>
export type DeleteEventFrame = z.infer<typeof DeleteEventFrame>
export type ReactionEventFrame = z.infer<typeof ReactionEventFrame>
/** The log events that change an earlier message. */
export type MessageChangeEvent = EditEventFrame | DeleteEventFrame | ReactionEventFrame
export type ReactionOp = z.infer<typeof ReactionOp>
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
