// Bad input on /chat: each guard answers with an error frame (socket kept) or the contract's close code.
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ChatClient, registerUser } from '../support/clients.js'
import { postgresUnavailable } from '../contract/store-factories.js'
import { startServer, startServerOnPostgres } from '../support/start-server.js'

/** Whether the server has closed a reader with 1013 (its eddy_slow_reader_closes_total). */
async function slowReaderClosed(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const sample = /^eddy_slow_reader_closes_total (\S+)$/m.exec(text)
  return Number(sample?.[1] ?? 0) > 0
}

async function joinedClient(env: Record<string, string> = {}) {
  const server = await startServer(env)
  const user = await registerUser(server.url)
  const client = await ChatClient.connect(server.wsUrl, user.token)
  await client.join('lobby')
  return { server, user, client }
}

describe('bad frames keep the socket open', () => {
  it.each([
    ['invalid JSON', '{"type":', 'invalid_json'],
    ['unknown frame type', { type: 'shout', room: 'lobby' }, 'unknown_frame_type'],
    ['no type', { room: 'lobby' }, 'unknown_frame_type'],
    ['missing fields', { type: 'send', room: 'lobby' }, 'invalid_frame'],
    ['extra fields', { type: 'join', room: 'lobby', admin: true }, 'invalid_frame'],
    ['bad room name', { type: 'join', room: '../etc' }, 'invalid_frame'],
    [
      'cid too long',
      { type: 'send', room: 'lobby', text: 'hi', cid: 'x'.repeat(65) },
      'invalid_frame',
    ],
    ['unknown room', { type: 'join', room: 'no-such-room' }, 'room_not_found'],
    ['unknown room', { type: 'send', room: 'other', text: 'hi', cid: 'n1' }, 'room_not_found'],
    ['empty text', { type: 'send', room: 'lobby', text: '', cid: 'e1' }, 'invalid_text'],
    ['blank text', { type: 'send', room: 'lobby', text: '   ', cid: 'e2' }, 'invalid_text'],
    [
      'text over 4000 characters',
      { type: 'send', room: 'lobby', text: 'é'.repeat(4001), cid: 'e3' },
      'invalid_text',
    ],
  ])('%s', async (_name, frame, code) => {
    const { client } = await joinedClient()
    client.send(frame)
    const error = await client.next('error', (f) => f.code === code)
    expect(error.message.length).toBeGreaterThan(0)
    // Still usable afterwards.
    client.send({ type: 'send', room: 'lobby', text: 'still here', cid: 'after' })
    await client.next('ack', (f) => f.cid === 'after')
    client.close()
  })

  it('accepts exactly 4000 characters (counted as characters, not UTF-16 units)', async () => {
    const { client } = await joinedClient()
    client.send({ type: 'send', room: 'lobby', text: '😀'.repeat(4000), cid: 'max' })
    await client.next('ack', (f) => f.cid === 'max')
    client.close()
  })

  it('answers sends past the per-user rate with rate_limited and keeps the socket', async () => {
    const { client } = await joinedClient({ SEND_BURST: '3', SENDS_PER_SECOND: '1' })
    for (let i = 0; i < 6; i++)
      client.send({ type: 'send', room: 'lobby', text: `m${i}`, cid: `r${i}` })
    const error = await client.next('error', (f) => f.code === 'rate_limited')
    expect(error.cid).toMatch(/^r\d$/)
    const acks = client.frames.filter((f) => f.type === 'ack')
    expect(acks.length).toBeLessThanOrEqual(4)
    expect(client.socket.readyState).toBe(client.socket.OPEN)
    client.close()
  })
})

describe('fatal frames close with the contract code', () => {
  it('closes with 1009 for a frame over 64 KiB', async () => {
    const { client } = await joinedClient()
    client.send({ type: 'send', room: 'lobby', text: 'x'.repeat(70 * 1024), cid: 'big' })
    expect((await client.closed).code).toBe(1009)
  })

  it('closes with 1007 for invalid UTF-8', async () => {
    const { client } = await joinedClient()
    client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })
    expect((await client.closed).code).toBe(1007)
  })

  it(
    'closes a reader that stops reading with 1013; it resumes with since and loses nothing',
    { timeout: 90_000 },
    async () => {
      const {
        server,
        user,
        client: sender,
      } = await joinedClient({ MAX_SOCKET_BUFFER_BYTES: '262144', RATE_LIMITS: 'off' })
      const slow = await ChatClient.connect(server.wsUrl, user.token)
      const joined = await slow.join('lobby')
      // Stop reading: the kernel buffers fill, then the server's send buffer grows past its bound.
      const raw = (slow.socket as unknown as { _socket: Socket })._socket
      raw.pause()
      const text = 'y'.repeat(3900)
      let lastSeq = 0
      // Loopback kernel buffers absorb several MiB before the server's own buffer grows. The
      // sender waits for its acks in batches so that only the paused reader falls behind, and
      // stops at the batch in which the server gave up on it: the server cuts a reader that has
      // not read its close frame 5 s later, and a slow machine could still be sending by then.
      for (let batch = 0; batch < 40 && !(await slowReaderClosed(server.url)); batch++) {
        for (let i = 0; i < 100; i++) {
          sender.send({ type: 'send', room: 'lobby', text, cid: `s${batch}-${i}` })
        }
        lastSeq = (await sender.next('ack', (f) => f.cid === `s${batch}-99`, 20_000)).seq
      }
      raw.resume()
      expect((await slow.closed).code).toBe(1013)
      expect(await slowReaderClosed(server.url)).toBe(true)
      const seenBeforeClose = slow.messages('lobby').map((m) => m.seq)
      const resumeFrom = seenBeforeClose.length ? Math.max(...seenBeforeClose) : joined.seq
      const again = await ChatClient.connect(server.wsUrl, user.token)
      await again.join('lobby', resumeFrom)
      await again.waitForSeq('lobby', lastSeq, 40_000)
      const all = [...seenBeforeClose, ...again.messages('lobby').map((m) => m.seq)]
      const expected = Array.from({ length: lastSeq - joined.seq }, (_, i) => joined.seq + i + 1)
      expect(all).toEqual(expected)
      sender.close()
      again.close()
    },
  )

  it('does not crash on a raw garbage upgrade or half-open connection', async () => {
    const { server, client } = await joinedClient()
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        )
        socket.on('data', () => socket.destroy())
        socket.on('close', () => resolve())
      })
    })
    client.send({ type: 'send', room: 'lobby', text: 'alive', cid: 'alive' })
    await client.next('ack', (f) => f.cid === 'alive')
    client.close()
  })
})

const pgSkip = await postgresUnavailable()

describe.each([
  ['SQLite', false, (env: Record<string, string>) => startServer(env)],
  ['PostgreSQL', pgSkip !== undefined, startServerOnPostgres],
] as const)('connection cap under concurrent upgrades (%s)', (_engine, skip, start) => {
  it.skipIf(skip)(
    'never lets concurrent upgrades past MAX_CONNECTIONS_PER_USER; a closed socket frees its place',
    async () => {
      // The session lookup awaits the store, so on PostgreSQL the upgrades interleave between the
      // cap check and the accept: a cap counted at accept let all of them through there.
      const server = await start({ MAX_CONNECTIONS_PER_USER: '3' })
      const user = await registerUser(server.url)
      const attempts = await Promise.allSettled(
        Array.from({ length: 32 }, () => ChatClient.connect(server.wsUrl, user.token)),
      )
      const open = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []))
      const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [String(a.reason)] : []))
      expect(open).toHaveLength(3)
      expect(refused).toEqual(Array.from({ length: 29 }, () => 'Error: HTTP 429'))
      const closing = open.pop()!
      closing.close()
      await closing.closed
      await expect
        .poll(() =>
          ChatClient.connect(server.wsUrl, user.token).then((c) => (open.push(c), 'open')),
        )
        .toBe('open')
      for (const client of open) client.close()
    },
  )
})
