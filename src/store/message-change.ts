/**
 * What an edit, delete or reaction does to its target message, engine-free: every Store adapter
 * reads the target's state inside its transaction, asks `planChange`, then stores the event and
 * the target's new state together (ports.ts, Store.changeMessage).
 */
import { ChatError } from '../domain/errors.js'
import { MAX_REACTION_KINDS, type MessageChangeInput } from '../domain/ports.js'
import type { MessageChangeEvent, ReactionOp, Reactions, RoomLogEvent } from '../protocol/frames.js'

/** The target message as the transaction reads it (undefined when that seq is no message). */
export interface TargetState {
  readonly userId: string
  readonly deleted: boolean
  readonly reactions: Reactions
}

export type TargetWrite =
  | {
      readonly kind: 'edit'
      readonly text: string
      readonly mentions: readonly string[]
      readonly editedAt: number
    }
  | { readonly kind: 'delete'; readonly deletedAt: number }
  | { readonly kind: 'reactions'; readonly reactions: Reactions }

/** A delete of a deleted target: nothing is stored, the first delete event answers. */
export const DELETED_BEFORE = 'deleted-before'

export function planChange(
  input: MessageChangeInput,
  target: TargetState | undefined,
): TargetWrite | ChatError | typeof DELETED_BEFORE {
  if (target === undefined) return new ChatError('message_not_found')
  const change = input.change
  switch (change.type) {
    case 'edit':
      if (target.userId !== input.userId) return new ChatError('not_your_message')
      if (target.deleted) return new ChatError('message_deleted')
      return { kind: 'edit', text: change.text, mentions: change.mentions, editedAt: input.ts }
    case 'delete':
      return target.deleted ? DELETED_BEFORE : { kind: 'delete', deletedAt: input.ts }
    case 'reaction': {
      if (target.deleted) return new ChatError('message_deleted')
      const reactions = react(target.reactions, input.username, change.emoji, change.op)
      return reactions ?? new ChatError('too_many_reactions')
    }
  }
}

/** The reactions after `username` adds or removes `emoji`; undefined when one kind too many. */
function react(
  current: Reactions,
  username: string,
  emoji: string,
  op: ReactionOp,
): TargetWrite | undefined {
  const users = Object.hasOwn(current, emoji) ? (current[emoji] ?? []) : []
  if (op === 'add') {
    if (users.includes(username)) return { kind: 'reactions', reactions: current }
    if (users.length === 0 && Object.keys(current).length >= MAX_REACTION_KINDS) return undefined
    return { kind: 'reactions', reactions: { ...current, [emoji]: [...users, username] } }
  }
  if (!users.includes(username)) return { kind: 'reactions', reactions: current }
  const next = { ...current }
  const rest = users.filter((user) => user !== username)
  if (rest.length === 0) delete next[emoji]
  else next[emoji] = rest
  return { kind: 'reactions', reactions: next }
}

/** The state a target has after `write` (for a batch that changes one target twice). */
export function afterWrite(target: TargetState, write: TargetWrite): TargetState {
  if (write.kind === 'delete') return { ...target, deleted: true, reactions: {} }
  if (write.kind === 'reactions') return { ...target, reactions: write.reactions }
  return target
}

/** The event a change stores at `seq`. */
export function changeEvent(input: MessageChangeInput, seq: number): MessageChangeEvent {
  const base = {
    room: input.room,
    seq,
    user: input.username,
    ts: input.ts,
    cid: input.cid,
    target: input.target,
  }
  const change = input.change
  if (change.type === 'edit')
    return { type: 'edit', ...base, text: change.text, mentions: [...change.mentions] }
  if (change.type === 'delete') return { type: 'delete', ...base }
  return { type: 'reaction', ...base, emoji: change.emoji, op: change.op }
}

/**
 * An earlier event found under the change's (room, user, cid): the same change sent again, or a
 * cid reused for something else (refused: the client mixed up its ids).
 */
export function repeatOf(
  earlier: RoomLogEvent,
  input: MessageChangeInput,
): MessageChangeEvent | ChatError {
  if (
    (earlier.type === 'edit' || earlier.type === 'delete' || earlier.type === 'reaction') &&
    earlier.type === input.change.type &&
    earlier.target === input.target
  ) {
    return earlier
  }
  return cidReused()
}

export function cidReused(): ChatError {
  return new ChatError(
    'invalid_request',
    'This cid was already used for another message or change; use a new cid for each.',
  )
}
