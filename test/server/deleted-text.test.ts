// A deleted message leaves no trace of its text: not in the API (timeline, log, search), not in
// the SQLite files (the chat's and the search index's, read byte by byte after a checkpoint), not
// in PostgreSQL's rows (messages and the search table). Its edits' texts, link
// previews and mentions go with it; the tombstone and its seq stay.
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'
import { acked, log, timeline } from '../support/changes.js'
import { api, ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { PG_URL, postgresUnavailable } from '../contract/store-factories.js'
import { startServer, type TestServer } from '../support/start-server.js'

const pgSkip = await postgresUnavailable()

/**
 * Writes a message, edits it twice and gives it a preview, each carrying its own secret. The
 * message row holds only its current text (the original went with the first edit); the first
 * edit's text lives on only in that edit's event. `stored`: what storage holds before the delete.
 */
async function secretMessage(server: TestServer, alice: TestUser, bob: TestUser) {
  const secrets = [1, 2, 3, 4].map(() => `s3cr3t${Math.random().toString(36).slice(2, 12)}`)
  const client = await ChatClient.connect(server.wsUrl, alice.token)
  await client.join('lobby')
  const seq = await acked(client, {
    type: 'send',
    room: 'lobby',
    text: `the code is ${secrets[0]} @${bob.username}`,
  })
  for (const secret of secrets.slice(1, 3)) {
    await acked(client, {
      type: 'edit',
      room: 'lobby',
      target: seq,
      text: `no, it is ${secret} @${bob.username}`,
    })
  }
  await server.engines.store.addPreview('lobby', seq, {
    url: `https://example.org/${secrets[3]}`,
    title: null,
    description: null,
    image: null,
  })
  await acked(client, { type: 'react', room: 'lobby', target: seq, emoji: '🙈', op: 'add' })
  return { seq, secrets, stored: secrets.slice(1), client }
}

async function deleteIt(server: TestServer, alice: TestUser, seq: number) {
  const gone = await api(server.url, `/api/rooms/lobby/messages/${seq}`, {
    token: alice.token,
    method: 'DELETE',
  })
  expect(gone.status).toBe(200)
}

/** The timeline, the log, and a socket resuming from before the message (served from memory). */
async function expectNoTraceInApi(
  server: TestServer,
  reader: TestUser,
  secrets: string[],
  seq: number,
) {
  const resumed = await ChatClient.connect(server.wsUrl, reader.token)
  await resumed.join('lobby', seq - 1)
  await resumed.next('delete', (f) => f.target === seq)
  const everything = JSON.stringify([
    await timeline(server.url, reader, 'lobby'),
    await log(server.url, reader, 'lobby', 0),
    resumed.frames,
  ])
  for (const secret of secrets) expect(everything).not.toContain(secret)
  resumed.close()
}

describe('a deleted message leaves no trace of its text', () => {
  it('SQLite: in the API and in the database files', async () => {
    // The index purges old text at once, not after its usual quiet minute.
    const server = await startServer({ LINK_PREVIEWS: 'off', SEARCH_PURGE_DELAY_MS: '0' })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const file = join(server.dataDir, 'eddy.sqlite')
    const bytes = (file: string): string => {
      // A second connection checkpoints the WAL into the file and empties it.
      const db = new BetterSqlite3(file)
      try {
        db.pragma('busy_timeout = 5000')
        db.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        db.close()
      }
      const wal = `${file}-wal`
      const walBytes = existsSync(wal) ? readFileSync(wal).toString('latin1') : ''
      return readFileSync(file).toString('latin1') + walBytes
    }
    // The search index (a file of its own) holds the text as trigrams; a search waits (2 s at
    // most) for the index worker to catch up, so after it the file is current on a quiet machine.
    const indexFile = join(server.dataDir, 'eddy-search.sqlite')
    const found = async (secret: string) => {
      const answer = await api(server.url, `/api/search?q=${secret}`, { token: bob.token })
      return (answer.body as { results: unknown[] }).results.length
    }
    // A secret's trigram may also spell part of the index's own schema ('igr' in "trigram"):
    // only the trigrams the empty index does not already hold can tell whether the text is gone.
    await expect.poll(() => existsSync(indexFile)).toBe(true)
    const emptyIndex = bytes(indexFile)
    const trigrams = (secret: string) =>
      [...secret.slice(6)]
        .slice(0, -2)
        .map((_, i) => secret.slice(6 + i, 9 + i))
        .filter((t) => !emptyIndex.includes(t))
    const { seq, secrets, stored, client } = await secretMessage(server, alice, bob)
    const current = stored[1] ?? ''
    expect(await found(current)).toBe(1)
    // The files held the secrets before (so this test can see them at all).
    const before = bytes(file)
    for (const secret of stored) expect(before).toContain(secret)
    const indexedBefore = bytes(indexFile)
    expect(trigrams(current).filter((t) => indexedBefore.includes(t)).length).toBeGreaterThan(0)

    await deleteIt(server, alice, seq)
    await client.next('delete', (f) => f.target === seq)
    await expectNoTraceInApi(server, bob, secrets, seq)
    expect(await found(current)).toBe(0)
    // The WAL keeps old page images until a checkpoint empties it (docs/security.md), and a
    // TRUNCATE checkpoint gives up while another connection reads: awaited, like the index below.
    const leftInChat = () => {
      const after = bytes(file)
      return secrets.filter((secret) => after.includes(secret))
    }
    await expect.poll(leftInChat, { timeout: 20_000, interval: 200 }).toEqual([])
    // The index thread runs at low priority: on a busy machine a search may answer from the chat
    // table before the thread has caught up (sqlite-search.ts), so its file is awaited here.
    const leftInIndex = () => {
      const indexedAfter = bytes(indexFile)
      return secrets.flatMap((secret) => trigrams(secret).filter((t) => indexedAfter.includes(t)))
    }
    await expect.poll(leftInIndex, { timeout: 20_000, interval: 200 }).toEqual([])
    const [tombstone] = await timeline(server.url, bob, 'lobby', `before=${seq + 1}&limit=1`)
    expect(tombstone).toMatchObject({ seq, text: '', deleted: true, mentions: [], reactions: {} })
    client.close()
  })

  it.skipIf(pgSkip !== undefined)('PostgreSQL: in the API and in the rows', async () => {
    const schema = `eddy_del_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    onTestFinished(async () => {
      await admin.query(`drop schema if exists ${schema} cascade`)
      await admin.end()
    })
    const server = await startServer({
      LINK_PREVIEWS: 'off',
      DATABASE_URL: PG_URL,
      PG_SCHEMA: schema,
      PG_POOL_MAX: '4',
    })
    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const { seq, secrets, stored, client } = await secretMessage(server, alice, bob)
    const rows = async (): Promise<string> =>
      JSON.stringify((await admin.query(`select * from ${schema}.messages`)).rows)
    const before = await rows()
    for (const secret of stored) expect(before).toContain(secret)

    await deleteIt(server, alice, seq)
    await client.next('delete', (f) => f.target === seq)
    await expectNoTraceInApi(server, bob, secrets, seq)
    const after = await rows()
    for (const secret of secrets) expect(after).not.toContain(secret)
    // The search table too, once the indexers have applied the delete (tombstone: body null); a
    // search applies what no indexer holds, and the background indexer the rest within moments.
    await server.engines.store.searchMessages({ userId: bob.id, text: secrets[2]!, limit: 5 })
    const leftIndexed = async () => {
      const indexed = JSON.stringify(
        (await admin.query(`select * from ${schema}.message_search`)).rows,
      )
      return secrets.filter((secret) => indexed.includes(secret))
    }
    await expect.poll(leftIndexed, { timeout: 20_000, interval: 200 }).toEqual([])
    client.close()
  })
})
