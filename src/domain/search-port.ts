/** The Store's search port: finding messages by substring among those a user may read now. */

/** Longest query, in characters (UTF-16 code units, as the client counts them). */
export const MAX_SEARCH_CHARS = 200
/** Shortest query: one character is too broad to index cheaply or to be useful (docs/search.md). */
export const MIN_SEARCH_CHARS = 2

export interface SearchQuery {
  /** The asker: only rooms they are a member of are searched (plus the one below, if readable). */
  readonly userId: string
  /** Found as a case-insensitive substring of a message's current text; every character literal. */
  readonly text: string
  /**
   * Only this room. A room the asker is not a member of is searched only when it is public (or
   * `anyRoom`): the adapter checks this in the same query that finds the messages.
   */
  readonly room?: string
  /** Server admins (ADMIN_USERS) may read every room: `room` is then searched whatever its kind. */
  readonly anyRoom?: boolean
  /** Only messages by this user id. */
  readonly authorId?: string
  /** A hit's `cursor` from an earlier page: only hits older than it. */
  readonly before?: string
  readonly limit: number
}

export interface SearchHit {
  readonly room: string
  readonly seq: number
  readonly user: string
  /** The message's current text. */
  readonly text: string
  readonly ts: number
  /** Opaque to the domain; engine-specific (a row id, or ts/room/seq), stable across pages. */
  readonly cursor: string
}

/**
 * Part of the Store (ports.ts). Contract (test/contract/store-search.contract.ts):
 * - Hits are messages (never other log events), not deleted, whose current text contains
 *   `text` ignoring case; an edit is found by its new text only and a delete is never found, from
 *   the commit of the event on. Every character of `text` is literal (no wildcard or syntax).
 * - Only rooms the user is a member of at query time, or the `room` filter when public or
 *   `anyRoom`; membership is part of the query, never filtered afterwards.
 * - Newest first, at most `limit`; `before` continues after a hit's cursor. A cursor this
 *   engine never made rejects with ChatError('invalid_request').
 */
export interface MessageSearch {
  searchMessages(query: SearchQuery): Promise<SearchHit[]>
}
