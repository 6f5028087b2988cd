/**
 * Tells an engine error caused by one row's values (retrying that row can never succeed) from one
 * caused by the engine or the connection (retrying later may).
 */

/** PostgreSQL SQLSTATEs: class 22 (data exception), not-null and check violations. */
const PG_ROW_STATES = /^(22[0-9A-Z]{3}|23502|23514)$/
const SQLITE_ROW_CODES = new Set([
  'SQLITE_TOOBIG',
  'SQLITE_MISMATCH',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_CONSTRAINT_DATATYPE',
])

export function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  return PG_ROW_STATES.test(code) || SQLITE_ROW_CODES.has(code)
}
