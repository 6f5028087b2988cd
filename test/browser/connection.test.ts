/** The connection state machine with a fake socket, fake timers and a fake HTTP API. */
import { describe, expect, test } from 'vitest'
import type { ChatMessage, ServerFrame } from '../../src/protocol/index.js'
import { ApiError } from '../../web/src/api.js'
import {
  ChatLink,
  type LinkStatus,
  type PollApi,
  type SocketHandlers,
} from '../../web/src/chat-link.js'

class FakeSocket {
  sent: unknown[] = []
  closed = false
  constructor(readonly handlers: SocketHandlers) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  close(): void {
    this.closed = true
  }
  receive(frame: ServerFrame): void {
    this.handlers.onMessage(JSON.stringify(frame))
  }
}

class FakeTimers {
  #next = 1
  pending = new Map<number, () => void>()
  setTimeout = (callback: () => void): number => {
    const id = this.#next++
    this.pending.set(id, callback)
    return id
  }
  clearTimeout = (id: number): void => void this.pending.delete(id)
  runAll(): void {
    const callbacks = [...this.pending.values()]
    this.pending.clear()
    for (const callback of callbacks) callback()
  }
}

const message = (room: string, seq: number): ChatMessage => ({
  room,
  seq,
  id: `m${seq}`,
  user: 'bob',
  text: `t${seq}`,
  ts: seq,
  cid: `c${seq}`,
})

/** Lets resolved promises (the fake API's answers) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function setup(api: Partial<PollApi> = {}) {
  const sockets: FakeSocket[] = []
  const timers = new FakeTimers()
  const frames: ServerFrame[] = []
  const statuses: LinkStatus[] = []
  /** Every status report with its retryAt, as the banner sees them. */
  const reports: Array<[LinkStatus, number | null]> = []
  let now = 1_000_000
  const ready: string[] = []
  const signedOut: true[] = []
  const fullApi: PollApi = {
    messagesAfter: () => new Promise(() => undefined),
    historyBefore: () => Promise.resolve([]),
    postMessage: () => Promise.reject(new ApiError(0, 'network', 'down')),
    change: () => Promise.reject(new ApiError(0, 'network', 'down')),
    markRead: () => Promise.resolve(),
    probe: () => Promise.resolve(),
    ...api,
  }
  const connection = new ChatLink(
    {
      openSocket: (handlers) => {
        const socket = new FakeSocket(handlers)
        sockets.push(socket)
        return socket
      },
      api: fullApi,
      timers,
      random: () => 0.5,
      now: () => now,
    },
    {
      frame: (f) => frames.push(f),
      status: (s, retryAt) => {
        if (statuses.at(-1) !== s) statuses.push(s)
        reports.push([s, retryAt])
      },
      ready: (room) => ready.push(room),
      unauthorized: () => void signedOut.push(true),
    },
  )
  const last = () => sockets.at(-1) as FakeSocket
  const advance = (ms: number) => void (now += ms)
  return {
    connection,
    sockets,
    last,
    timers,
    frames,
    statuses,
    reports,
    ready,
    signedOut,
    advance,
  }
}

describe('ChatLink', () => {
  test('a socket closed because its session ended (4001) or the account was banned (4003) signs out, never reconnects', () => {
    for (const code of [4001, 4003]) {
      const { connection, sockets, last, timers, statuses, signedOut } = setup()
      connection.join('lobby')
      connection.start()
      last().handlers.onOpen()
      last().handlers.onClose(code)
      timers.runAll()
      expect(signedOut).toEqual([true])
      expect(sockets).toHaveLength(1)
      expect(statuses).toEqual(['online'])
    }
  })

  test('any other close code reconnects', () => {
    const { connection, sockets, last, timers, signedOut } = setup()
    connection.start()
    last().handlers.onOpen()
    last().handlers.onClose(1001)
    timers.runAll()
    expect(sockets).toHaveLength(2)
    expect(signedOut).toEqual([])
  })

  test('joins on open, resumes with since = last seq seen after a reconnect', () => {
    const { connection, last, timers, statuses, ready } = setup()
    connection.join('lobby')
    connection.start()
    last().handlers.onOpen()
    expect(last().sent).toEqual([{ type: 'join', room: 'lobby' }])
    last().receive({ type: 'joined', room: 'lobby', seq: 4, online: ['alice'] })
    expect(ready).toEqual(['lobby'])
    last().receive({ type: 'message', ...message('lobby', 5) })
    last().handlers.onClose()
    expect(statuses).toEqual(['online', 'reconnecting'])
    timers.runAll()
    last().handlers.onOpen()
    expect(last().sent).toEqual([{ type: 'join', room: 'lobby', since: 5 }])
  })

  test('send goes over the socket when open and reports false when nothing can carry it', () => {
    const { connection, last } = setup()
    connection.start()
    expect(connection.send('lobby', 'hi', 'c1')).toBe(false)
    last().handlers.onOpen()
    expect(connection.send('lobby', 'hi', 'c1')).toBe(true)
    expect(last().sent).toContainEqual({ type: 'send', room: 'lobby', text: 'hi', cid: 'c1' })
  })

  test('falls back to long-polling after 3 failed attempts, and back to the socket when it opens', async () => {
    const polled: Array<[string, number]> = []
    const { connection, last, timers, frames, statuses } = setup({
      messagesAfter: (room, after) => {
        polled.push([room, after])
        return after === 7
          ? Promise.resolve([{ type: 'message' as const, ...message(room, 8) }])
          : new Promise(() => undefined)
      },
      postMessage: (room, text, cid) => Promise.resolve({ ...message(room, 9), text, cid }),
    })
    connection.join('lobby')
    connection.start()
    last().handlers.onOpen()
    last().receive({ type: 'joined', room: 'lobby', seq: 7, online: [] })
    last().handlers.onClose()
    for (let i = 0; i < 2; i++) {
      timers.runAll()
      last().handlers.onClose() // never opened
    }
    await settle()
    expect(statuses.at(-1)).toBe('polling')
    await settle()
    expect(polled[0]).toEqual(['lobby', 7])
    expect(frames).toContainEqual({ type: 'message', ...message('lobby', 8) })

    expect(connection.send('lobby', 'via http', 'c9')).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(frames).toContainEqual({ type: 'ack', cid: 'c9', seq: 9, room: 'lobby' })
    // The POST's answer is only an ack: the message itself comes in log order, with the poll.
    expect(frames.filter((f) => f.type === 'message').map((f) => f.seq)).toEqual([8])

    // The socket keeps being retried in the background; once it opens, polling stops. The resume
    // starts after the last event the poll delivered, not after the acked send.
    timers.runAll()
    last().handlers.onOpen()
    expect(statuses.at(-1)).toBe('online')
    expect(last().sent).toEqual([{ type: 'join', room: 'lobby', since: 8 }])
  })

  test('edits, deletes and reactions go over the socket, or over HTTP while polling', async () => {
    const changes: unknown[] = []
    const { connection, last, timers, frames } = setup({
      change: (frame) => {
        changes.push(frame)
        return Promise.resolve(12)
      },
    })
    const edit = { type: 'edit' as const, room: 'lobby', target: 3, text: 'fixed', cid: 'e1' }
    expect(connection.change(edit)).toBe(false)
    connection.start()
    last().handlers.onOpen()
    expect(connection.change(edit)).toBe(true)
    expect(last().sent).toContainEqual(edit)
    last().handlers.onClose()
    for (let i = 0; i < 2; i++) {
      timers.runAll()
      last().handlers.onClose() // never opened
    }
    // Polling is claimed only once the HTTP probe answers.
    await settle()
    expect(connection.status).toBe('polling')
    const react = {
      type: 'react' as const,
      room: 'lobby',
      target: 3,
      emoji: '🎉',
      op: 'add' as const,
      cid: 'r1',
    }
    expect(connection.change(react)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(changes).toEqual([react])
    expect(frames).toContainEqual({ type: 'ack', cid: 'r1', seq: 12, room: 'lobby' })
  })

  test('every event of the log moves the resume cursor, whether it came by socket or by poll', async () => {
    const edit = {
      type: 'edit' as const,
      room: 'lobby',
      seq: 9,
      user: 'bob',
      ts: 9,
      target: 8,
      text: 'x',
      mentions: [],
    }
    const { connection, last, timers, frames } = setup({
      messagesAfter: (_room, after) =>
        after === 8 ? Promise.resolve([edit]) : new Promise(() => undefined),
    })
    connection.join('lobby')
    connection.start()
    last().handlers.onOpen()
    last().receive({ type: 'joined', room: 'lobby', seq: 7, online: [] })
    last().receive({
      type: 'reaction',
      room: 'lobby',
      seq: 8,
      user: 'bob',
      ts: 8,
      target: 2,
      emoji: '👍',
      op: 'add',
    })
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(frames).toContainEqual(edit)
    last().handlers.onOpen()
    expect(last().sent).toEqual([{ type: 'join', room: 'lobby', since: 9 }])
  })

  test('a refused HTTP send becomes an error frame for that cid', async () => {
    const { connection, last, timers, frames } = setup({
      postMessage: () => Promise.reject(new ApiError(429, 'rate_limited', 'slow down')),
    })
    connection.start()
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    await settle()
    expect(connection.status).toBe('polling')
    connection.send('lobby', 'x', 'c1')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(frames).toContainEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
      cid: 'c1',
      room: 'lobby',
    })
  })

  test('reconnecting reports when the next attempt starts, and null while one is under way', () => {
    const { connection, last, timers, reports, advance } = setup()
    connection.start()
    last().handlers.onOpen()
    advance(5_000)
    last().handlers.onClose()
    // random 0.5, first retry: 150 + 0.5 × (300 − 150) = 225 ms from now.
    expect(reports.at(-1)).toEqual(['reconnecting', 1_005_225])
    timers.runAll()
    expect(reports.at(-1)).toEqual(['reconnecting', null])
  })

  test('server unreachable: after the failed attempts the probe fails too, so no fallback is claimed', async () => {
    let probes = 0
    const { connection, last, timers, statuses, reports } = setup({
      probe: () => {
        probes++
        return Promise.reject(new ApiError(0, 'network', 'down'))
      },
    })
    connection.join('lobby')
    connection.start()
    for (let i = 0; i < 6; i++) {
      last().handlers.onClose()
      await settle()
      timers.runAll()
    }
    expect(probes).toBeGreaterThanOrEqual(3)
    expect(statuses).toEqual(['reconnecting'])
    expect(reports.filter(([, at]) => at !== null).length).toBe(6)
  })

  test('the fallback starts only once the HTTP probe is answered', async () => {
    let answer: () => void = () => undefined
    const { connection, last, timers, statuses } = setup({
      probe: () => new Promise<void>((resolve) => (answer = resolve)),
    })
    connection.start()
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    await settle()
    expect(connection.status).toBe('reconnecting')
    answer()
    await settle()
    expect(statuses).toEqual(['reconnecting', 'polling'])
  })

  test('a probe answered after the socket opened again does not start the fallback', async () => {
    let answer: () => void = () => undefined
    const { connection, last, timers } = setup({
      probe: () => new Promise<void>((resolve) => (answer = resolve)),
    })
    connection.start()
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    last().handlers.onOpen()
    answer()
    await settle()
    expect(connection.status).toBe('online')
  })

  test('a probe that finds the session ended signs out', async () => {
    const { connection, last, timers, signedOut } = setup({
      probe: () => Promise.reject(new ApiError(401, 'unauthorized', 'gone')),
    })
    connection.start()
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    await settle()
    expect(signedOut).toEqual([true])
  })

  test('polling whose requests stop being answered goes back to reconnecting', async () => {
    let failPoll: (error: unknown) => void = () => undefined
    const { connection, last, timers, statuses } = setup({
      historyBefore: () => Promise.resolve([message('lobby', 3)]),
      messagesAfter: () => new Promise((_, reject) => (failPoll = reject)),
    })
    connection.join('lobby')
    connection.start()
    for (let i = 0; i < 3; i++) {
      last().handlers.onClose()
      timers.runAll()
    }
    await settle()
    expect(connection.status).toBe('polling')
    const carrier = connection.carrier
    failPoll(new ApiError(0, 'network', 'down'))
    await settle()
    expect(statuses).toEqual(['reconnecting', 'polling', 'reconnecting'])
    expect(connection.carrier).toBeGreaterThan(carrier)
    expect(connection.send('lobby', 'x', 'c1')).toBe(false)
  })

  test('a POST that gets no answer while polling goes back to reconnecting; a 503 too', async () => {
    for (const error of [new ApiError(0, 'network', 'down'), new ApiError(503, 'unknown', 'x')]) {
      const { connection, last, timers, frames } = setup({
        postMessage: () => Promise.reject(error),
      })
      connection.start()
      for (let i = 0; i < 3; i++) {
        last().handlers.onClose()
        timers.runAll()
      }
      await settle()
      expect(connection.send('lobby', 'x', 'c1')).toBe(true)
      await settle()
      expect(connection.status).toBe('reconnecting')
      expect(frames.filter((f) => f.type === 'error')).toEqual([])
    }
  })

  test('retryNow connects at once instead of waiting out the backoff', () => {
    const { connection, sockets, last, timers } = setup()
    connection.start()
    last().handlers.onClose()
    expect(timers.pending.size).toBe(1)
    connection.retryNow()
    expect(sockets).toHaveLength(2)
    expect(timers.pending.size).toBe(0)
  })

  test('each new socket is a new carrier', () => {
    const { connection, last, timers } = setup()
    connection.start()
    last().handlers.onOpen()
    const first = connection.carrier
    last().handlers.onClose()
    timers.runAll()
    last().handlers.onOpen()
    expect(connection.carrier).toBeGreaterThan(first)
  })
})
