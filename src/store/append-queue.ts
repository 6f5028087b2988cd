/**
 * The queue entries both group-commit appenders (SQLite, PostgreSQL) hold until their batch
 * commits: new messages, and edits, deletes and reactions, which take seqs from the same queue.
 */
import { ChatError } from '../domain/errors.js'
import type {
  AppendInput,
  AppendResult,
  MessageChangeInput,
  MessageChangeResult,
} from '../domain/ports.js'
import type { MessageFrame } from '../protocol/frames.js'
import { isStorable } from '../protocol/text-rules.js'

export interface PendingAppend {
  readonly kind?: undefined
  readonly input: AppendInput
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

export interface PendingChange {
  readonly kind: 'change'
  readonly input: MessageChangeInput
  readonly resolve: (result: MessageChangeResult) => void
  readonly reject: (error: unknown) => void
}

export type PendingWrite = PendingAppend | PendingChange

/** Per write in a batch: stored (or found by cid), or refused on its own (unknown room, a rule). */
export type AppendOutcome = AppendResult | MessageChangeResult | ChatError

/**
 * Every engine stores these strings unchanged: PostgreSQL refuses U+0000 and drivers replace
 * unpaired surrogates, so such a row is refused here, alone, before it can reach a batch.
 */
export function refusedAsUnstorable(
  input: AppendInput | MessageChangeInput,
): ChatError | undefined {
  const fields = [input.room, input.userId, input.username, input.cid, input.id]
  if ('change' in input) {
    const change = input.change
    if (change.type === 'edit') fields.push(change.text, ...change.mentions)
    else if (change.type === 'reaction') fields.push(change.emoji)
  } else {
    fields.push(input.text)
    if (input.mentions !== undefined) fields.push(...input.mentions)
  }
  if (fields.every(isStorable)) return undefined
  return new ChatError(
    'unstorable',
    'The message text or cid contains U+0000 or an unpaired surrogate, which cannot be stored.',
  )
}

/** The event a new message is stored as at `seq`. */
export function newMessage(input: AppendInput, seq: number): MessageFrame {
  const message: MessageFrame = {
    type: 'message',
    room: input.room,
    seq,
    id: input.id,
    user: input.username,
    text: input.text,
    ts: input.ts,
    cid: input.cid,
    mentions: input.mentions === undefined ? [] : [...input.mentions],
  }
  if (input.replyTo !== undefined) message.replyTo = input.replyTo
  return message
}

/** Settles a batch's writes with their outcomes (a ChatError outcome rejects that write only). */
export function settle(batch: readonly PendingWrite[], outcomes: readonly AppendOutcome[]): void {
  batch.forEach((pending, i) => {
    const outcome = outcomes[i]
    if (outcome === undefined || outcome instanceof ChatError) pending.reject(outcome)
    else if (pending.kind === 'change' && 'event' in outcome) pending.resolve(outcome)
    else if (pending.kind === undefined && 'message' in outcome) pending.resolve(outcome)
    else pending.reject(new ChatError('internal', 'A write was answered with the wrong kind.'))
  })
}
