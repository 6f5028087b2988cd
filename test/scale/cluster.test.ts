// Several real nodes on PostgreSQL + Redis: one chat, per-room seq across nodes, failover and outages.
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { scaleOutUnavailable, startCluster } from '../support/cluster.js'

const skip = await scaleOutUnavailable()

type Msg = { seq: number; cid: string }

function expectContiguous(seqs: number[], from: number, to: number): void {
  expect(seqs).toEqual(Array.from({ length: to - from }, (_, i) => from + i + 1))
}

describe.skipIf(skip !== undefined)('many nodes, one chat', { timeout: 90_000 }, () => {
  it('two nodes accepting the same room at once: every subscriber on every node sees one seq order, no gaps, no duplicates', async () => {
    const cluster = await startCluster(3)
    const [n0, n1, n2] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ]
    // Sessions are shared: register on node 0, use the token everywhere.
    const users: TestUser[] = await Promise.all([1, 2, 3].map(() => registerUser(n0.url)))
    const readers = await Promise.all(
      [n0, n1, n2].map((n) => ChatClient.connect(n.wsUrl, users[2]!.token)),
    )
    const starts = await Promise.all(readers.map((r) => r.join('lobby')))
    const senderA = await ChatClient.connect(n0.wsUrl, users[0]!.token)
    const senderB = await ChatClient.connect(n1.wsUrl, users[1]!.token)
    await senderA.join('lobby')
    await senderB.join('lobby')
    const perSender = 150
    for (let i = 0; i < perSender; i++) {
      senderA.send({ type: 'send', room: 'lobby', text: `a${i}`, cid: `a${i}` })
      senderB.send({ type: 'send', room: 'lobby', text: `b${i}`, cid: `b${i}` })
    }
    const lastA = await senderA.next('ack', (f) => f.cid === `a${perSender - 1}`, 30_000)
    const lastB = await senderB.next('ack', (f) => f.cid === `b${perSender - 1}`, 30_000)
    const last = Math.max(lastA.seq, lastB.seq)
    const start = Math.min(...starts.map((s) => s.seq))
    expect(last - start).toBe(2 * perSender)
    for (const reader of readers) {
      await reader.waitForSeq('lobby', last, 30_000)
      expectContiguous(
        reader.messages('lobby').map((m) => m.seq),
        start,
        last,
      )
    }
    // A long-poller on the third node agrees with the WebSocket readers.
    const polled = await api(n2.url, `/api/rooms/lobby/messages?after=${start}&limit=200&wait=5`, {
      token: users[0]!.token,
    })
    const polledCids = (polled.body as { messages: Msg[] }).messages.map((m) => m.cid)
    expect(polledCids).toEqual(
      readers[0]!
        .messages('lobby')
        .slice(0, 200)
        .map((m) => m.cid),
    )
    for (const c of [...readers, senderA, senderB]) c.close()
  })

  it('presence across nodes; a killed node’s users are seen to leave within the TTL', async () => {
    const cluster = await startCluster(2, {
      PRESENCE_TTL_MS: '1500',
      PRESENCE_SWEEP_INTERVAL_MS: '200',
    })
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const [alice, bob] = [await registerUser(n0.url), await registerUser(n0.url)]
    const watcher = await ChatClient.connect(n1.wsUrl, bob.token)
    await watcher.join('lobby')
    const a = await ChatClient.connect(n0.wsUrl, alice.token)
    const joined = await a.join('lobby')
    expect(joined.online).toEqual(expect.arrayContaining([alice.username, bob.username]))
    await watcher.next('presence', (f) => f.user === alice.username && f.event === 'join')
    a.send({ type: 'typing', room: 'lobby' })
    await watcher.next('typing', (f) => f.user === alice.username)
    const killedAt = Date.now()
    await n0.stop('SIGKILL')
    await watcher.next('presence', (f) => f.user === alice.username && f.event === 'leave', 10_000)
    expect(Date.now() - killedAt).toBeLessThan(10_000)
    watcher.close()
  })

  it('kill -9 a node under load: its clients move to another node with since and get every acked message exactly once', async () => {
    const cluster = await startCluster(2)
    const [n0, n1] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
    const [writer, reader, other] = await Promise.all([1, 2, 3].map(() => registerUser(n1.url)))
    // The reader and a writer live on node 0, which will die; another writer keeps going on node 1.
    let readerSocket = await ChatClient.connect(n0.wsUrl, reader!.token)
    const start = (await readerSocket.join('lobby')).seq
    let writerSocket = await ChatClient.connect(n0.wsUrl, writer!.token)
    await writerSocket.join('lobby')
    const steady = await ChatClient.connect(n1.wsUrl, other!.token)
    await steady.join('lobby')

    const acked = new Map<string, number>()
    const unacked = new Set<string>()
    let steadyCount = 0
    let stop = false
    const steadyLoop = (async () => {
      while (!stop) {
        const cid = `s${steadyCount++}`
        steady.send({ type: 'send', room: 'lobby', text: 'steady', cid })
        // Paced by node 1: the next message goes once this one is acked.
        await steady.next('ack', (f) => f.cid === cid, 20_000)
      }
    })()
    for (let i = 0; i < 100; i++) {
      const cid = `w${i}`
      unacked.add(cid)
      writerSocket.send({ type: 'send', room: 'lobby', text: cid, cid })
    }
    await readerSocket.next('message', () => readerSocket.messages('lobby').length >= 20, 20_000)
    for (const f of writerSocket.frames) if (f.type === 'ack') acked.set(f.cid, f.seq)
    await n0.stop('SIGKILL')
    const seen = readerSocket.messages('lobby').map((m) => m.seq)

    // Both clients reconnect to the surviving node: the reader resumes, the writer resends unacked cids.
    readerSocket = await ChatClient.connect(n1.wsUrl, reader!.token)
    await readerSocket.join('lobby', seen.length ? Math.max(...seen) : start)
    writerSocket = await ChatClient.connect(n1.wsUrl, writer!.token)
    await writerSocket.join('lobby')
    for (const cid of unacked)
      if (!acked.has(cid)) writerSocket.send({ type: 'send', room: 'lobby', text: cid, cid })
    const lastResend = [...unacked].filter((c) => !acked.has(c)).pop()
    if (lastResend) await writerSocket.next('ack', (f) => f.cid === lastResend, 20_000)
    stop = true
    await steadyLoop
    const lastSteady = await steady.next('ack', (f) => f.cid === `s${steadyCount - 1}`, 20_000)
    const last = Math.max(
      lastSteady.seq,
      ...writerSocket.frames
        .filter((f) => f.type === 'ack')
        .map((f) => (f.type === 'ack' ? f.seq : 0)),
    )
    await readerSocket.waitForSeq('lobby', last, 30_000)
    const all = [...seen, ...readerSocket.messages('lobby').map((m) => m.seq)]
    expectContiguous(all, start, last)

    // Nothing stored twice: every writer cid exactly once in history, and each acked seq kept.
    const history = await api(n1.url, `/api/rooms/lobby/messages?after=${start}&limit=200`, {
      token: reader!.token,
    })
    let messages = (history.body as { messages: Msg[] }).messages
    for (let after = messages.at(-1)?.seq ?? start; after < last;) {
      const more = await api(n1.url, `/api/rooms/lobby/messages?after=${after}&limit=200`, {
        token: reader!.token,
      })
      const page = (more.body as { messages: Msg[] }).messages
      if (page.length === 0) break
      messages = [...messages, ...page]
      after = page.at(-1)!.seq
    }
    const writerCids = messages.filter((m) => m.cid.startsWith('w')).map((m) => m.cid)
    expect(writerCids.sort()).toEqual([...unacked].sort())
    for (const [cid, seq] of acked) expect(messages.find((m) => m.cid === cid)?.seq).toBe(seq)
    for (const c of [readerSocket, writerSocket, steady]) c.close()
  })
})
