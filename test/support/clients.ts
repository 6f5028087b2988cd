/** Test clients that speak real HTTP and WebSocket to a server: users, sockets, frame waiting. */
import WebSocket from 'ws'
import type { ServerFrame } from '../../src/protocol/frames.js'

let counter = 0

export interface TestUser {
  readonly id: string
  readonly username: string
  readonly password: string
  readonly token: string
  readonly csrfToken: string
  readonly cookie: string
}

export function uniqueName(prefix = 'user'): string {
  counter += 1
  return `${prefix}${process.pid % 1000}_${counter}_${Math.random().toString(36).slice(2, 6)}`
}

export async function api(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.token) headers['authorization'] = `Bearer ${init.token}`
  const response = await fetch(baseUrl + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const text = await response.text()
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  }
}

export async function registerUser(baseUrl: string, username = uniqueName()): Promise<TestUser> {
  const password = 'correct horse battery'
  const response = await fetch(`${baseUrl}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`)
  const body = (await response.json()) as { user: { id: string }; token: string; csrfToken: string }
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  return {
    id: body.user.id,
    username,
    password,
    token: body.token,
    csrfToken: body.csrfToken,
    cookie,
  }
}

/** A WebSocket client that records every frame and lets a test await the ones it expects. */
export class ChatClient {
  readonly frames: ServerFrame[] = []
  readonly socket: WebSocket
  #waiters: Array<{ test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }> = []
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame
      this.frames.push(frame)
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(frame)) return true
        w.resolve(frame)
        return false
      })
    })
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  static async connect(
    wsUrl: string,
    token: string,
    headers: Record<string, string> = {},
  ): Promise<ChatClient> {
    const socket = new WebSocket(wsUrl, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
    return new ChatClient(socket)
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Resolves with the first frame (already received or future) that matches. */
  next<T extends ServerFrame['type']>(
    type: T,
    match: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
    skipSeen = false,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const test = (f: ServerFrame): boolean =>
      f.type === type && match(f as Extract<ServerFrame, { type: T }>)
    return this.#wait(test, type, timeoutMs, skipSeen) as Promise<Extract<ServerFrame, { type: T }>>
  }

  /** The ack or error frame answering a write with this cid (cids are unique per test). */
  answerTo(
    cid: string,
    timeoutMs = 10_000,
  ): Promise<Extract<ServerFrame, { type: 'ack' | 'error' }>> {
    const test = (f: ServerFrame): boolean =>
      (f.type === 'ack' || f.type === 'error') && f.cid === cid
    return this.#wait(test, `answer to ${cid}`, timeoutMs, false) as Promise<
      Extract<ServerFrame, { type: 'ack' | 'error' }>
    >
  }

  #wait(
    test: (f: ServerFrame) => boolean,
    what: string,
    timeoutMs: number,
    skipSeen: boolean,
  ): Promise<ServerFrame> {
    if (!skipSeen) {
      const seen = this.frames.find(test)
      if (seen) return Promise.resolve(seen)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for a ${what} frame; got ${JSON.stringify(this.frames.slice(-5))}`,
            ),
          ),
        timeoutMs,
      )
      this.#waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer)
          resolve(f)
        },
      })
    })
  }

  async join(room: string, since?: number): Promise<Extract<ServerFrame, { type: 'joined' }>> {
    this.send(since === undefined ? { type: 'join', room } : { type: 'join', room, since })
    return this.next('joined', (f) => f.room === room, 10_000, true)
  }

  messages(room: string): Array<Extract<ServerFrame, { type: 'message' }>> {
    return this.frames.filter(
      (f): f is Extract<ServerFrame, { type: 'message' }> =>
        f.type === 'message' && f.room === room,
    )
  }

  /** Waits until this client has seen the room's message with this seq. */
  waitForSeq(room: string, seq: number, timeoutMs = 15_000): Promise<unknown> {
    return this.next('message', (f) => f.room === room && f.seq >= seq, timeoutMs)
  }

  close(): void {
    this.socket.close()
  }
}
