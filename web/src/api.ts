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
  MeResponse,
  OnlineResponse,
  RoomsResponse,
  RoomView,
  SessionResponse,
} from '../../src/protocol/index.js'

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

  async createRoom(name: string): Promise<RoomView> {
    return (await this.#request<{ room: RoomView }>('POST', '/api/rooms', { name })).room
  }

  /** Up to `limit` messages with seq < before, returned oldest first (the server sends newest first). */
  async historyBefore(room: string, before: number, limit: number): Promise<ChatMessage[]> {
    const query = `before=${before}&limit=${limit}`
    const body = await this.#request<{ messages: ChatMessage[] }>('GET', messagesPath(room, query))
    return body.messages.slice().reverse()
  }

  /** Messages with seq > after, oldest first; with waitSeconds, a long-poll. */
  async messagesAfter(
    room: string,
    after: number,
    waitSeconds: number | null,
    signal?: AbortSignal,
  ): Promise<ChatMessage[]> {
    const wait = waitSeconds === null ? '' : `&wait=${waitSeconds}`
    const path = messagesPath(room, `after=${after}&limit=200${wait}`)
    return (await this.#request<{ messages: ChatMessage[] }>('GET', path, undefined, signal))
      .messages
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
    attachments: readonly string[] = [],
  ): Promise<ChatMessage> {
    const path = messagesPath(room, '')
    const body = attachments.length > 0 ? { text, cid, attachments } : { text, cid }
    return (await this.#request<{ message: ChatMessage }>('POST', path, body)).message
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

/** Rooms per page of the room list; the rest are fetched when asked for ("More rooms"). */
const ROOM_PAGE = 100

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
