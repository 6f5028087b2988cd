/** The queue entry both group-commit appenders (SQLite, PostgreSQL) hold until their batch commits. */
import type { ChatError } from '../domain/errors.js'
import type { AppendInput, AppendResult } from '../domain/ports.js'

export interface PendingAppend {
  readonly input: AppendInput
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

/** Per append in a batch: stored (or found by cid), or refused on its own (unknown room). */
export type AppendOutcome = AppendResult | ChatError
