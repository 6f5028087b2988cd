/** Name rules shared by usernames and room names, on both ends of the wire. */
import { z } from 'zod'

export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/
export const NAME_RULE_TEXT = '1-32 letters, digits, "_", "-" or "."'

export const Username = z.string().regex(NAME_PATTERN, `username must be ${NAME_RULE_TEXT}`)
/** Room names are case-insensitive identifiers; the canonical form is lower case (like Slack channels). */
export const RoomName = z
  .string()
  .regex(NAME_PATTERN, `room name must be ${NAME_RULE_TEXT}`)
  .transform((name) => name.toLowerCase())
export const Password = z
  .string()
  .min(8, 'password must be at least 8 characters')
  .max(1024, 'password must be at most 1024 characters')
/** The client's own id for a message; resending the same cid stores nothing new. */
export const Cid = z.string().min(1).max(64)
/** Hard ceiling for parsing; the configured limit (default 4000 characters) is enforced by the domain. */
export const MAX_TEXT_PARSE_CHARS = 64 * 1024
export const MessageText = z.string().max(MAX_TEXT_PARSE_CHARS)
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export function countChars(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}
