// Bus messages that never arrive are repaired from the Store without waiting for the room's next message.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

describe('feed audit', () => {
  it('delivers a committed message whose publish was lost, with no later message to reveal the gap', async () => {
    const server = await startServer({ FEED_AUDIT_INTERVAL_MS: '100' })
    const alice = await registerUser(server.url)
    const client = await ChatClient.connect(server.wsUrl, alice.token)
    const start = (await client.join('lobby')).seq
    // Stored but never published: what a node dying between commit and publish, or a bus that
    // drops a message on a live connection, leaves behind.
    const { message } = await server.engines.store.append({
      id: randomUUID(),
      room: 'lobby',
      userId: alice.id,
      username: alice.username,
      text: 'published nowhere',
      cid: 'lost-1',
      ts: Date.now(),
    })
    expect(message.seq).toBe(start + 1)
    const delivered = await client.next('message', (f) => f.cid === 'lost-1', 10_000)
    expect(delivered.seq).toBe(start + 1)
    expect(client.messages('lobby').map((m) => m.seq)).toEqual([start + 1])
    client.close()
  })
})
