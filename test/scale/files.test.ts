// Two real nodes on PostgreSQL + Redis: a file uploaded through one is served by the other (the
// bytes live in PostgreSQL, not on either node's disk), whole and by ranges, behind membership;
// deleting the message through the other node deletes the bytes.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { scaleOutUnavailable, startCluster, TEST_PG_URL } from '../support/cluster.js'
import { download, png, uploaded } from '../support/files.js'

const skip = await scaleOutUnavailable()

describe.skipIf(skip !== undefined)('files across nodes', { timeout: 90_000 }, () => {
  it('a file uploaded through node 0 is served by node 1 to a member, and only to a member', async () => {
    const cluster = await startCluster(2)
    const [n0, n1] = [cluster.nodes[0]!, cluster.nodes[1]!]
    const alice = await registerUser(n0.url)
    const bob = await registerUser(n0.url)
    const eve = await registerUser(n0.url)
    await api(n0.url, '/api/rooms', {
      token: alice.token,
      body: { name: 'team', visibility: 'private' },
    })
    await api(n0.url, '/api/rooms/team/members', {
      token: alice.token,
      body: { username: bob.username },
    })
    // Larger than a few PostgreSQL chunks (256 KiB each), so ranges cross chunk boundaries.
    const blob = randomBytes(900 * 1024 + 3)
    const file = await uploaded(n0.url, alice.token, 'team', 'data.bin', blob)
    const image = await uploaded(n0.url, alice.token, 'team', 'pic.png', png(64, 48))
    expect(image).toMatchObject({ type: 'image/png', width: 64, height: 48 })

    const reader = await ChatClient.connect(n1.wsUrl, bob.token)
    await reader.join('team')
    const sent = await api(n0.url, '/api/rooms/team/messages', {
      token: alice.token,
      body: { text: 'both files', cid: 'x1', attachments: [file.id, image.id] },
    })
    expect(sent.status).toBe(201)
    const seen = await reader.next('message', (f) => f.cid === 'x1')
    expect(seen.attachments).toEqual([file, image])

    const whole = await download(n1.url, bob.token, file.url)
    expect(whole.status).toBe(200)
    expect(whole.bytes.equals(blob)).toBe(true)
    expect(whole.headers.get('content-disposition')).toMatch(/^attachment; /)
    const start = 256 * 1024 - 10
    const end = 2 * 256 * 1024 + 10
    const part = await download(n1.url, bob.token, file.url, { range: `bytes=${start}-${end}` })
    expect(part.status).toBe(206)
    expect(part.bytes.equals(blob.subarray(start, end + 1))).toBe(true)
    const picture = await download(n1.url, bob.token, image.url)
    expect(picture.headers.get('content-type')).toBe('image/png')

    const outsider = await download(n1.url, eve.token, file.url)
    expect(outsider.status).toBe(404)
    expect(JSON.parse(outsider.bytes.toString())).toMatchObject({
      error: { code: 'room_not_found' },
    })

    // Deleted through node 1: no node serves the file, and its bytes are gone from PostgreSQL.
    const seq = (sent.body as { message: { seq: number } }).message.seq
    const deleted = await api(n1.url, `/api/rooms/team/messages/${seq}`, {
      method: 'DELETE',
      token: alice.token,
    })
    expect(deleted.status).toBe(200)
    for (const node of [n0, n1]) {
      expect((await download(node.url, bob.token, file.url)).status).toBe(404)
    }
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    try {
      const schema = cluster.env['PG_SCHEMA']!
      for (const table of ['blobs', 'files']) {
        const left = await admin.query<{ n: string }>(
          `select count(*) as n from ${schema}.${table} where id = any($1::text[])`,
          [[file.id, image.id]],
        )
        expect(Number(left.rows[0]?.n), table).toBe(0)
      }
    } finally {
      await admin.end()
    }
  })
})
