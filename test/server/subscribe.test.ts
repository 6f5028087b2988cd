// One subscription per socket and room: a repeated join resumes from its own since, never a second stream.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

async function fillRoom(wsUrl: string, token: string, count: number): Promise<number> {
  const writer = await ChatClient.connect(wsUrl, token)
  await writer.join('lobby')
  for (let i = 0; i < count; i++) {
    writer.send({ type: 'send', room: 'lobby', text: `m${i}`, cid: `fill-${i}` })
  }
  const last = await writer.next('ack', (f) => f.cid === `fill-${count - 1}`, 30_000)
  writer.close()
  return last.seq
}

describe('subscriptions', () => {
  it('repeated joins during a catch-up end in one contiguous stream, each seq once', async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const alice = await registerUser(server.url)
    const bob = await registerUser(server.url)
    // More than the feed keeps in memory, so the catch-up pages from the store across awaits.
    const last = await fillRoom(server.wsUrl, alice.token, 1_500)

    const reader = await ChatClient.connect(server.wsUrl, bob.token)
    const joins = 30
    for (let i = 0; i < joins; i++) reader.send({ type: 'join', room: 'lobby', since: 0 })
    await reader.next(
      'joined',
      () => reader.frames.filter((f) => f.type === 'joined').length >= joins,
    )
    await reader.waitForSeq('lobby', last, 30_000)
    // One more live message: a second stream still running would interleave with it.
    const posted = await api(server.url, '/api/rooms/lobby/messages', {
      token: alice.token,
      body: { text: 'after', cid: 'after-1' },
    })
    expect(posted.status).toBe(201)
    await reader.waitForSeq('lobby', last + 1)

    const lastJoined = reader.frames.map((f) => f.type).lastIndexOf('joined')
    const after = reader.frames
      .slice(lastJoined + 1)
      .filter((f) => f.type === 'message')
      .map((f) => f.seq)
    expect(after).toEqual(Array.from({ length: last + 1 }, (_, i) => i + 1))
    // Without the guard every join kept its own replay running: tens of thousands of frames.
    expect(reader.messages('lobby').length).toBeLessThan(3 * (last + 1))
    reader.close()
  })

  it('a socket sends and types only in rooms it joined; HTTP sends need no subscription', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const client = await ChatClient.connect(server.wsUrl, alice.token)
    client.send({ type: 'send', room: 'lobby', text: 'hi', cid: 'c1' })
    expect((await client.next('error', (f) => f.cid === 'c1')).code).toBe('not_joined')
    client.send({ type: 'typing', room: 'lobby' })
    expect((await client.next('error', (f) => f.code === 'not_joined' && !f.cid)).room).toBe(
      'lobby',
    )
    const posted = await api(server.url, '/api/rooms/lobby/messages', {
      token: alice.token,
      body: { text: 'by http', cid: 'h1' },
    })
    expect(posted.status).toBe(201)
    await client.join('lobby', 0)
    await client.waitForSeq('lobby', 1)
    client.send({ type: 'send', room: 'lobby', text: 'now joined', cid: 'c2' })
    expect((await client.next('ack', (f) => f.cid === 'c2')).seq).toBe(2)
    client.close()
  })
})
