/** `GET /api/search` on the wire: the query string and the answer (docs/protocol.md, Search). */
import { z } from 'zod'
import { RoomName, Username } from './names.js'
import { isStorable } from './text-rules.js'

export const SEARCH_MIN_CHARS = 2
export const SEARCH_MAX_CHARS = 200
export const SEARCH_LIMIT_DEFAULT = 20
export const SEARCH_LIMIT_MAX = 50

/** C0 controls and DEL: nothing a message can hold that a user would type into a search box. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

export const SearchQuery = z.strictObject({
  q: z
    .string()
    .transform((q) => q.trim())
    .pipe(
      z
        .string()
        .min(SEARCH_MIN_CHARS, `must be at least ${SEARCH_MIN_CHARS} characters`)
        .max(SEARCH_MAX_CHARS, `must be at most ${SEARCH_MAX_CHARS} characters`)
        .refine((q) => !CONTROL.test(q), 'must not contain control characters')
        .refine(isStorable, 'must be valid Unicode text'),
    ),
  room: RoomName.optional(),
  /** Only messages by this user. */
  user: Username.optional(),
  /** The `next` of the previous page. */
  before: z
    .string()
    .max(300)
    .regex(/^[\w.:-]+$/, 'must be the next cursor of an earlier page')
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number of decimal digits')
    .transform(Number)
    .pipe(z.number().min(1).max(SEARCH_LIMIT_MAX))
    .default(SEARCH_LIMIT_DEFAULT),
})
export type SearchQuery = z.infer<typeof SearchQuery>

/**
 * One message found. `highlights` are [start, end) offsets into `text` (UTF-16 code units, as
 * JavaScript strings count) of each place the query matched: the client marks them itself.
 */
export const SearchResult = z.object({
  room: z.string(),
  seq: z.number().int(),
  user: z.string(),
  text: z.string(),
  ts: z.number().int(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
})
export type SearchResult = z.infer<typeof SearchResult>

/** `next`: pass as `before` for the following page; null when this page was the last. */
export const SearchResponse = z.object({
  results: z.array(SearchResult),
  next: z.string().nullable(),
})
export type SearchResponse = z.infer<typeof SearchResponse>
