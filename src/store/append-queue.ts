/** The queue entry both group-commit appenders (SQLite, PostgreSQL) hold until their batch commits. */
import { ChatError } from '../domain/errors.js'
import type { AppendInput, AppendResult } from '../domain/ports.js'
import { isStorable } from '../protocol/text-rules.js'

export interface PendingAppend {
  readonly input: AppendInput
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

/** Per append in a batch: stored (or found by cid), or refused on its own (unknown room). */
export type AppendOutcome = AppendResult | ChatError

/**
 * Every engine stores these strings unchanged: PostgreSQL refuses U+0000 and drivers replace
 * unpaired surrogates, so such a row is refused here, alone, before it can reach a batch.
 */
export function refusedAsUnstorable(input: AppendInput): ChatError | undefined {
  const fields = [input.room, input.userId, input.username, input.text, input.cid, input.id]
  if (fields.every(isStorable)) return undefined
  return new ChatError(
    'unstorable',
    'The message text or cid contains U+0000 or an unpaired surrogate, which cannot be stored.',
  )
}

/** Settles a batch's appends with their outcomes (a ChatError outcome rejects that append only). */
export function settle(batch: readonly PendingAppend[], outcomes: readonly AppendOutcome[]): void {
  batch.forEach((pending, i) => {
    const outcome = outcomes[i]
    if (outcome === undefined || outcome instanceof ChatError) pending.reject(outcome)
    else pending.resolve(outcome)
  })
}
