// Messages that change across two nodes (PostgreSQL + Redis): edits, deletes and reactions made on
// one node reach the other's subscribers in seq order, replay exactly once on resume at either node,
// leave no deleted text in either node's memory; mentions notify the user's sockets on both nodes.
import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'
import { acked, logEvents } from '../support/changes.js'
import { api, ChatClient, registerUser, uniqueName } from '../support/clients.js'
import { scaleOutUnavailable, TEST_PG_URL } from '../support/cluster.js'
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js'
import { startServer } from '../support/start-server.js'

const skip = await scaleOutUnavailable()

/** Two in-process nodes sharing one PostgreSQL schema and one Redis prefix. */
async function twoNodes() {
  const schema = `eddy_mc_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const prefix = uniquePrefix('mc')
  onTestFinished(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix)
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  })
  const env = {
    DATABASE_URL: TEST_PG_URL,
    PG_SCHEMA: schema,
    PG_POOL_MAX: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    LINK_PREVIEWS: 'off',
  }
  const a = await startServer({ ...env, NODE_ID: 'mc-a' })
  const b = await startServer({ ...env, NODE_ID: 'mc-b' })
  return [a, b] as const
}

describe.skipIf(skip !== undefined)(
  'messages that change, across nodes',
  { timeout: 90_000 },
  () => {
    it('a client away while one message was edited, another deleted and a third reacted to gets exactly those events on resume, at either node, once each, in seq order', async () => {
      const [a, b] = await twoNodes()
      const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => registerUser(a.url)))
      const room = uniqueName('x').toLowerCase()
      await api(a.url, '/api/rooms', { token: alice!.token, body: { name: room } })
      // Alice writes on node B; Bob and Carol read on node A.
      const writer = await ChatClient.connect(b.wsUrl, alice!.token)
      await writer.join(room)
      const away = await ChatClient.connect(a.wsUrl, bob!.token)
      await away.join(room)
      const watcher = await ChatClient.connect(a.wsUrl, carol!.token)
      await watcher.join(room)
      const seqs: number[] = []
      for (const text of ['one', 'two', 'three']) {
        seqs.push(await acked(writer, { type: 'send', room, text }))
      }
      await away.waitForSeq(room, seqs[2]!)
      const since = Math.max(...logEvents(away, room).map((f) => ('seq' in f ? f.seq : 0)))
      away.close()
      await away.closed

      const changes = [
        await acked(writer, { type: 'edit', room, target: seqs[0], text: 'one, edited' }),
        await acked(writer, { type: 'delete', room, target: seqs[1] }),
        await acked(writer, { type: 'react', room, target: seqs[2], emoji: '🚀', op: 'add' }),
      ]
      const expected = [
        { type: 'edit', seq: changes[0], target: seqs[0], text: 'one, edited' },
        { type: 'delete', seq: changes[1], target: seqs[1] },
        { type: 'reaction', seq: changes[2], target: seqs[2], emoji: '🚀', op: 'add' },
      ].map((e) => expect.objectContaining(e) as unknown)
      // Live on the other node, through the bus, in order.
      await watcher.next('reaction', (f) => f.seq === changes[2])
      expect(logEvents(watcher, room).filter((f) => 'seq' in f && f.seq > since)).toEqual(expected)

      for (const node of [a, b]) {
        const resumed = await ChatClient.connect(node.wsUrl, bob!.token)
        await resumed.join(room, since)
        await resumed.next('reaction', (f) => f.seq === changes[2])
        expect(logEvents(resumed, room)).toEqual(expected)
        // From before the messages: node A serves it from memory, which lost the deleted text too.
        const early = await ChatClient.connect(node.wsUrl, bob!.token)
        await early.join(room, seqs[0]! - 1)
        await early.next('reaction', (f) => f.seq === changes[2])
        const replay = logEvents(early, room)
        expect(replay.map((f) => f.type)).toEqual([
          'message',
          'message',
          'message',
          'edit',
          'delete',
          'reaction',
        ])
        expect(JSON.stringify(replay)).not.toContain('two')
        resumed.close()
        early.close()
      }
      for (const c of [writer, watcher]) c.close()
    })

    it('a mention written on one node notifies every socket of the mentioned user on both nodes', async () => {
      const [a, b] = await twoNodes()
      const [alice, bob] = await Promise.all([1, 2].map(() => registerUser(a.url)))
      const tabs = [
        await ChatClient.connect(a.wsUrl, bob!.token),
        await ChatClient.connect(b.wsUrl, bob!.token),
      ]
      for (const tab of tabs) await tab.join('lobby')
      const writer = await ChatClient.connect(a.wsUrl, alice!.token)
      await writer.join('lobby')
      // Node B hears Bob's user channel once its subscription reached Redis: mention until it does.
      let seq = 0
      for (let attempt = 0; attempt < 50; attempt++) {
        seq = await acked(writer, { type: 'send', room: 'lobby', text: `hi @${bob!.username}` })
        const heard = await tabs[1]!
          .next('notify', (f) => f.seq === seq, 200)
          .catch(() => undefined)
        if (heard) break
      }
      for (const tab of tabs) {
        expect(await tab.next('notify', (f) => f.seq === seq)).toMatchObject({
          kind: 'mention',
          room: 'lobby',
          user: alice!.username,
        })
      }
      for (const c of [...tabs, writer]) c.close()
    })
  },
)
