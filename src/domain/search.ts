/**
 * Message search: what the asker may read now (the Store checks membership inside the query),
 * newest first, paged, with the matched parts located for the client to mark.
 */
import { ChatError } from './errors.js'
import type { Actor, Membership } from './membership.js'
import type { Store } from './ports.js'
import { MAX_SEARCH_CHARS, MIN_SEARCH_CHARS, type SearchHit } from './search-port.js'
import { matchRanges } from './search-highlight.js'

export interface SearchRequest {
  readonly text: string
  readonly room?: string
  /** A username: only their messages. */
  readonly user?: string
  readonly before?: string
  readonly limit: number
}

export interface FoundMessage {
  readonly room: string
  readonly seq: number
  readonly user: string
  readonly text: string
  readonly ts: number
  readonly highlights: Array<[number, number]>
}

export interface SearchPage {
  readonly results: FoundMessage[]
  /** The cursor for the next page, or null when there is none. */
  readonly next: string | null
}

export class Search {
  readonly #store: Store
  readonly #membership: Membership

  constructor(store: Store, membership: Membership) {
    this.#store = store
    this.#membership = membership
  }

  async find(actor: Actor, request: SearchRequest): Promise<SearchPage> {
    const text = request.text.trim()
    if (text.length < MIN_SEARCH_CHARS || text.length > MAX_SEARCH_CHARS) {
      throw new ChatError(
        'invalid_request',
        `q: must be ${MIN_SEARCH_CHARS}-${MAX_SEARCH_CHARS} characters`,
      )
    }
    // A room the asker may not read answers 404 like everywhere else; the Store checks again in
    // its query, so a membership removed in between still hides the room.
    if (request.room !== undefined) await this.#membership.readable(actor, request.room)
    let authorId: string | undefined
    if (request.user !== undefined) {
      const author = await this.#store.findUserByName(request.user)
      if (!author) return { results: [], next: null }
      authorId = author.id
    }
    // One more than asked tells whether a next page exists.
    const hits = await this.#store.searchMessages({
      userId: actor.id,
      text,
      ...(request.room !== undefined ? { room: request.room } : {}),
      ...(request.room !== undefined && this.#membership.isServerAdmin(actor)
        ? { anyRoom: true }
        : {}),
      ...(authorId !== undefined ? { authorId } : {}),
      ...(request.before !== undefined ? { before: request.before } : {}),
      limit: request.limit + 1,
    })
    const page = hits.slice(0, request.limit)
    const last = page.at(-1)
    return {
      results: page.map((hit) => found(hit, text)),
      next: hits.length > request.limit && last ? last.cursor : null,
    }
  }
}

function found(hit: SearchHit, text: string): FoundMessage {
  return {
    room: hit.room,
    seq: hit.seq,
    user: hit.user,
    text: hit.text,
    ts: hit.ts,
    highlights: matchRanges(hit.text, text),
  }
}
