// History that never lies: per-room seq, resume with since across a reconnect under load, idempotent cid.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

type Msg = { seq: number; text: string; cid: string }

describe('history and resume', () => {
  it('a client that reconnects with since while others keep sending sees every seq exactly once, in order', async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const senders = await Promise.all([1, 2, 3].map(() => registerUser(server.url)))
    const reader = await registerUser(server.url)
    const senderClients = await Promise.all(
      senders.map((u) => ChatClient.connect(server.wsUrl, u.token)),
    )
    for (const c of senderClients) await c.join('lobby')
    let client = await ChatClient.connect(server.wsUrl, reader.token)
    const start = (await client.join('lobby')).seq

    // Senders keep sending until the reader has dropped and resumed three times.
    let stop = false
    const sent = [0, 0, 0]
    const sending = senderClients.map(async (c, s) => {
      while (!stop) {
        const i = sent[s]!++
        c.send({ type: 'send', room: 'lobby', text: `s${s}-${i}`, cid: `s${s}-${i}` })
        // Paced by the server: the next message goes once this one is acked.
        await c.next('ack', (f) => f.cid === `s${s}-${i}`, 20_000)
      }
      return c.next('ack', (f) => f.cid === `s${s}-${sent[s]! - 1}`, 20_000)
    })

    const seen: number[] = []
    for (let round = 0; round < 3; round++) {
      const target = seen.length + 20
      await client.next(
        'message',
        () => seen.length + client.messages('lobby').length >= target,
        20_000,
      )
      seen.push(...client.messages('lobby').map((m) => m.seq))
      client.socket.terminate()
      await client.closed
      client = await ChatClient.connect(server.wsUrl, reader.token)
      await client.join('lobby', Math.max(...seen))
    }
    stop = true
    const acks = await Promise.all(sending)
    const last = Math.max(...acks.map((a) => a.seq))
    await client.waitForSeq('lobby', last, 20_000)
    seen.push(...client.messages('lobby').map((m) => m.seq))

    const total = sent.reduce((a, b) => a + b, 0)
    expect(last - start).toBe(total)
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => start + i + 1))
    for (const c of [client, ...senderClients]) c.close()
  })

  it('stores a resent cid once and acks it with the first seq (WebSocket and HTTP)', async () => {
    const server = await startServer()
    const user = await registerUser(server.url)
    const client = await ChatClient.connect(server.wsUrl, user.token)
    await client.join('lobby')
    client.send({ type: 'send', room: 'lobby', text: 'once', cid: 'dup-1' })
    const first = await client.next('ack', (f) => f.cid === 'dup-1')
    client.send({ type: 'send', room: 'lobby', text: 'once', cid: 'dup-1' })
    client.send({ type: 'send', room: 'lobby', text: 'next', cid: 'dup-2' })
    await client.next('ack', (f) => f.cid === 'dup-2')
    const acks = client.frames.filter((f) => f.type === 'ack' && f.cid === 'dup-1')
    expect(acks.map((a) => (a.type === 'ack' ? a.seq : 0))).toEqual([first.seq, first.seq])
    const http1 = await api(server.url, '/api/rooms/lobby/messages', {
      body: { text: 'via http', cid: 'h-1' },
      token: user.token,
    })
    const http2 = await api(server.url, '/api/rooms/lobby/messages', {
      body: { text: 'via http', cid: 'h-1' },
      token: user.token,
    })
    expect(http1.status).toBe(201)
    expect((http2.body as { message: Msg }).message.seq).toBe(
      (http1.body as { message: Msg }).message.seq,
    )
    const history = await api(server.url, '/api/rooms/lobby/messages?after=0&limit=200', {
      token: user.token,
    })
    const cids = (history.body as { messages: Msg[] }).messages.map((m) => m.cid)
    expect(cids).toEqual(['dup-1', 'dup-2', 'h-1'])
    client.close()
  })

  it('pages history backwards with before and forwards with after', async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const user = await registerUser(server.url)
    for (let i = 1; i <= 25; i++) {
      await api(server.url, '/api/rooms/lobby/messages', {
        body: { text: `m${i}`, cid: `p${i}` },
        token: user.token,
      })
    }
    const newest = await api(server.url, '/api/rooms/lobby/messages?limit=10', {
      token: user.token,
    })
    const page1 = (newest.body as { messages: Msg[] }).messages.map((m) => m.seq)
    expect(page1).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16])
    const older = await api(server.url, '/api/rooms/lobby/messages?before=16&limit=10', {
      token: user.token,
    })
    expect((older.body as { messages: Msg[] }).messages.map((m) => m.seq)).toEqual([
      15, 14, 13, 12, 11, 10, 9, 8, 7, 6,
    ])
    const after = await api(server.url, '/api/rooms/lobby/messages?after=20', { token: user.token })
    expect((after.body as { messages: Msg[] }).messages.map((m) => m.seq)).toEqual([
      21, 22, 23, 24, 25,
    ])
    for (const q of [
      'limit=0',
      'limit=201',
      'before=-1',
      'after=abc',
      'before=1&after=1',
      'wait=5',
    ]) {
      expect(
        (await api(server.url, `/api/rooms/lobby/messages?${q}`, { token: user.token })).status,
        q,
      ).toBe(400)
    }
    expect(
      (await api(server.url, '/api/rooms/nowhere/messages', { token: user.token })).status,
    ).toBe(404)
  })

  it('keeps acked messages across a restart on the same data directory', async () => {
    const first = await startServer({}, { teardown: false })
    const user = await registerUser(first.url)
    const client = await ChatClient.connect(first.wsUrl, user.token)
    await client.join('lobby')
    client.send({ type: 'send', room: 'lobby', text: 'durable', cid: 'd1' })
    const ack = await client.next('ack', (f) => f.cid === 'd1')
    await first.close()
    const second = await startServer({ DATA_DIR: first.dataDir })
    const history = await api(second.url, '/api/rooms/lobby/messages?after=0', {
      token: user.token,
    })
    expect((history.body as { messages: Msg[] }).messages).toMatchObject([
      { seq: ack.seq, text: 'durable' },
    ])
  })
})
