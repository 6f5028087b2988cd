// GET /api/rooms/:room/online: who is in a room, for clients without a socket (long-poll fallback).
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

describe('online list over HTTP', () => {
  it('lists socket members and long-pollers, drops those who leave, and needs a session and a real room', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const bob = await registerUser(server.url)
    const carol = await registerUser(server.url)
    const room = 'online-room'
    await api(server.url, '/api/rooms', { body: { name: room }, token: alice.token })
    const online = async () => {
      const r = await api(server.url, `/api/rooms/${room}/online`, { token: carol.token })
      expect(r.status).toBe(200)
      return (r.body as { online: string[] }).online
    }
    expect(await online()).toEqual([])

    const ws = await ChatClient.connect(server.wsUrl, alice.token)
    await ws.join(room)
    expect(await online()).toEqual([alice.username])

    // A long-poller counts as online while its poll is parked (and for PRESENCE_TTL_MS after).
    const parked = api(server.url, `/api/rooms/${room}/messages?after=0&wait=2`, {
      token: bob.token,
    })
    await expect.poll(online).toEqual([alice.username, bob.username].sort())

    ws.send({ type: 'leave', room })
    await ws.next('left')
    expect(await online()).toEqual([bob.username])
    ws.close()
    await parked

    expect((await api(server.url, `/api/rooms/${room}/online`)).status).toBe(401)
    const missing = await api(server.url, '/api/rooms/no-such-room/online', { token: bob.token })
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 'room_not_found' } })
  })
})
