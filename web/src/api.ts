/**
 * The JSON API over fetch: same-origin cookies, the CSRF header on every POST, and errors turned
 * into ApiError with the server's code. Types come from the shared protocol (types only, so zod
 * stays out of the bundle).
 */
import type {
  AuthResponse,
  ChatMessage,
  CSRF_HEADER,
  ErrorCode,
  MembersResponse,
  MemberView,
  MeResponse,
  MyRoomsResponse,
  MyRoomView,
  OnlineResponse,
  RoomLogEvent,
  Role,
  RoomsResponse,
  RoomView,
  SearchResponse,
  SessionResponse,
  TimelineMessage,
} from '../../src/protocol/index.js'
import type { ChangeFrame, SendExtras } from './chat-link.js'

// Typed against the protocol constant: renaming the header there breaks this build.
export const csrfHeader: typeof CSRF_HEADER = 'x-csrf-token'

/** `network` is ours: the request never got an HTTP answer. */
export type ApiErrorCode = ErrorCode | 'network' | 'unknown'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message)
  }
}

export class Api {
  #csrfToken = ''

  set csrfToken(token: string) {
    this.#csrfToken = token
  }

  get csrfToken(): string {
    return this.#csrfToken
  }

  async register(username: string, password: string): Promise<AuthResponse> {
    return this.#request<AuthResponse>('POST', '/api/register', { username, password })
  }

  async login(username: string, password: string): Promise<AuthResponse> {
    return this.#request<AuthResponse>('POST', '/api/login', { username, password })
  }

  async logout(): Promise<void> {
    await this.#request<unknown>('POST', '/api/logout', {})
  }

  async me(): Promise<MeResponse> {
    return this.#request<MeResponse>('GET', '/api/me')
  }

  /** Who is signed in, if anyone: signed out is an answer here, not an error. */
  async session(): Promise<SessionResponse> {
    return this.#request<SessionResponse>('GET', '/api/session')
  }

  /**
   * Does plain HTTP reach the server, with this session still valid? Resolves if so; a session
   * that ended is a 401, anything else an error like any request's.
   */
  async probe(): Promise<void> {
    const { user } = await this.session()
    if (!user) throw new ApiError(401, 'unauthorized', 'Your session has ended.')
  }

  /** One page of rooms in name order, after the cursor `after` (the first page without it). */
  async rooms(after?: string): Promise<RoomsResponse> {
    const cursor = after === undefined ? '' : `&after=${encodeURIComponent(after)}`
    return this.#request<RoomsResponse>('GET', `/api/rooms?limit=${ROOM_PAGE}${cursor}`)
  }

  async createRoom(name: string, visibility: 'public' | 'private' = 'public'): Promise<RoomView> {
    const body = { name, visibility }
    return (await this.#request<{ room: RoomView }>('POST', '/api/rooms', body)).room
  }

  async room(name: string): Promise<RoomView> {
    return (await this.#request<{ room: RoomView }>('GET', roomPath(name))).room
  }

  /** The DM of me plus `users` (the same set always gives the same room). */
  async openDm(users: readonly string[]): Promise<RoomView> {
    return (await this.#request<{ room: RoomView }>('POST', '/api/dms', { users })).room
  }

  /** Myself: join a public room; someone else: invite them. */
  async addMember(room: string, username: string): Promise<void> {
    await this.#request<unknown>('POST', `${roomPath(room)}/members`, { username })
  }

  /** Someone else: remove them; myself: leave. */
  async removeMember(room: string, username: string): Promise<void> {
    await this.#request<unknown>('DELETE', memberPath(room, username))
  }

  async setRole(room: string, username: string, role: Role): Promise<void> {
    await this.#request<unknown>('PATCH', memberPath(room, username), { role })
  }

  async setTopic(room: string, topic: string | null): Promise<void> {
    await this.#request<unknown>('PATCH', roomPath(room), { topic })
  }

  /** Server admins: ban (`true`) or unban an account. */
  async ban(username: string, banned: boolean): Promise<void> {
    const path = `/api/admin/users/${encodeURIComponent(username)}/ban`
    await this.#request<unknown>(banned ? 'POST' : 'DELETE', path)
  }

  /** The rooms I am a member of, with my role and unread and mention counts. */
  async myRooms(): Promise<MyRoomView[]> {
    return (await this.#request<MyRoomsResponse>('GET', '/api/me/rooms')).rooms
  }

  async members(room: string): Promise<MemberView[]> {
    const path = `/api/rooms/${encodeURIComponent(room)}/members`
    return (await this.#request<MembersResponse>('GET', path)).members
  }

  /**
   * The timeline: up to `limit` messages with seq < before as they are now (edits, deletes,
   * reactions, quotes), returned oldest first (the server sends newest first).
   */
  async historyBefore(room: string, before: number, limit: number): Promise<TimelineMessage[]> {
    const query = `before=${before}&limit=${limit}`
    const path = messagesPath(room, query)
    const body = await this.#request<{ messages: TimelineMessage[] }>('GET', path)
    return body.messages.slice().reverse()
  }

  /** The log: every event with seq > after, oldest first; with waitSeconds, a long-poll. */
  async messagesAfter(
    room: string,
    after: number,
    waitSeconds: number | null,
    signal?: AbortSignal,
  ): Promise<RoomLogEvent[]> {
    const wait = waitSeconds === null ? '' : `&wait=${waitSeconds}`
    const path = messagesPath(room, `after=${after}&limit=200${wait}`)
    return (await this.#request<{ messages: RoomLogEvent[] }>('GET', path, undefined, signal))
      .messages
  }

  /** An edit, delete or reaction over HTTP (the long-poll fallback); resolves with its seq. */
  async change(frame: ChangeFrame): Promise<number> {
    const path = `${messagesPath(frame.room, '')}/${frame.target}`
    const { cid } = frame
    const answer =
      frame.type === 'edit'
        ? this.#request<EventAnswer>('PATCH', path, { text: frame.text, cid })
        : frame.type === 'delete'
          ? this.#request<EventAnswer>('DELETE', `${path}?cid=${encodeURIComponent(cid)}`)
          : this.#request<EventAnswer>('POST', `${path}/reactions`, {
              emoji: frame.emoji,
              op: frame.op,
              cid,
            })
    return (await answer).event.seq
  }

  async markRead(room: string, seq: number): Promise<void> {
    await this.#request<unknown>('POST', `/api/rooms/${encodeURIComponent(room)}/read`, { seq })
  }

  /** Who is online in the room (the long-poll fallback's substitute for presence frames). */
  async online(room: string): Promise<string[]> {
    const path = `/api/rooms/${encodeURIComponent(room)}/online`
    return (await this.#request<OnlineResponse>('GET', path)).online
  }

  async postMessage(
    room: string,
    text: string,
    cid: string,
    extras: SendExtras = {},
  ): Promise<ChatMessage> {
    const path = messagesPath(room, '')
    const { replyTo, attachments = [] } = extras
    const body = {
      text,
      cid,
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(attachments.length > 0 ? { attachments } : {}),
    }
    return (await this.#request<{ message: ChatMessage }>('POST', path, body)).message
  }

  /** Messages I may read that contain `q`, newest first; `before`: the previous page's `next`. */
  async search(q: string, before?: string): Promise<SearchResponse> {
    const query = new URLSearchParams({ q, ...(before === undefined ? {} : { before }) })
    return this.#request<SearchResponse>('GET', `/api/search?${query.toString()}`)
  }

  async #request<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (method !== 'GET' && this.#csrfToken) headers[csrfHeader] = this.#csrfToken
    let response: Response
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      })
    } catch (error: unknown) {
      if (signal?.aborted) throw error
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.')
    }
    if (response.status === 204) return undefined as T
    const parsed: unknown = await response.json().catch(() => null)
    if (response.ok) return parsed as T
    throw toApiError(response, parsed)
  }
}

type EventAnswer = { event: RoomLogEvent }

/** Rooms per page of the room list; the rest are fetched when asked for ("More rooms"). */
const ROOM_PAGE = 100

function roomPath(room: string): string {
  return `/api/rooms/${encodeURIComponent(room)}`
}

function memberPath(room: string, username: string): string {
  return `${roomPath(room)}/members/${encodeURIComponent(username)}`
}

function messagesPath(room: string, query: string): string {
  return `/api/rooms/${encodeURIComponent(room)}/messages${query ? `?${query}` : ''}`
}

export function toApiError(
  response: Pick<Response, 'status' | 'statusText' | 'headers'>,
  body: unknown,
): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  const code = typeof error?.code === 'string' ? (error.code as ApiErrorCode) : 'unknown'
  const message = typeof error?.message === 'string' ? error.message : response.statusText
  const retryAfter = Number(response.headers.get('retry-after'))
  return new ApiError(
    response.status,
    code,
    message,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  )
}
