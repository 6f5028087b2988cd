/** Name rules shared by usernames and room names, on both ends of the wire. */
import { z } from 'zod'
import { idProblem, isStorable } from './text-rules.js'

/** At least one letter or digit: names of only punctuation (".", "..", "-") read as paths or nothing. */
export const NAME_PATTERN = /^(?=[^]*[A-Za-z0-9])[A-Za-z0-9_.-]{1,32}$/
export const NAME_RULE_TEXT = '1-32 letters, digits, "_", "-" or ".", with a letter or digit'
/** Every name ever stored matches this (NAME_PATTERN before it needed a letter or digit). */
export const STORED_NAME_CHARS = /^[A-Za-z0-9_.-]{1,32}$/

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
export const Cid = z
  .string()
  .min(1)
  .max(64)
  .superRefine((cid, ctx) => {
    const problem = idProblem(cid)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `cid ${problem}` })
  })
/** Hard ceiling for parsing; the configured limit (default 4000 characters) is enforced by the domain. */
export const MAX_TEXT_PARSE_CHARS = 64 * 1024
/** Content rules (blank, invisible, bidi controls) are the domain's; this refuses what no engine stores. */
export const MessageText = z
  .string()
  .max(MAX_TEXT_PARSE_CHARS)
  .refine(isStorable, 'text must not contain U+0000 or unpaired surrogates')
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export function countChars(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}
