/** Parses an input with its zod schema at the edge; failures become invalid_request with the reason. */
import type { z } from 'zod'
import { ChatError } from '../../domain/errors.js'

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const reason = result.error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ')
  throw new ChatError('invalid_request', reason)
}
