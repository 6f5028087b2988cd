// GET /api/search on a real server, on SQLite and on PostgreSQL: CJK substrings, the access rule
// inside the query (private rooms, DMs, removed members), edits and deletes, paging, filters, and
// queries whose characters mean something to LIKE or FTS5.
import { describe, expect, it } from 'vitest'
import { api, registerUser, type TestUser } from '../support/clients.js'
import { postgresUnavailable } from '../contract/store-factories.js'
import {
  startServer,
  startServerOnPostgres,
  type ServerEnv,
  type TestServer,
} from '../support/start-server.js'

interface Hit {
  room: string
  seq: number
  user: string
  text: string
  ts: number
  highlights: Array<[number, number]>
}
interface Page {
  results: Hit[]
  next: string | null
}

const pgSkip = await postgresUnavailable()
type Start = (env?: ServerEnv) => Promise<TestServer>
const engines: Array<[string, Start]> = [['sqlite', (env) => startServer(env)]]
if (pgSkip === undefined) engines.push(['postgres', (env) => startServerOnPostgres(env)])

let cids = 0
async function post(server: TestServer, user: TestUser, room: string, text: string) {
  const sent = await api(server.url, `/api/rooms/${room}/messages`, {
    token: user.token,
    body: { text, cid: `s${++cids}` },
  })
  expect(sent.status).toBe(201)
  return (sent.body as { message: { seq: number } }).message.seq
}

async function search(server: TestServer, user: TestUser, params: Record<string, string>) {
  return api(server.url, `/api/search?${new URLSearchParams(params).toString()}`, {
    token: user.token,
  })
}

async function texts(server: TestServer, user: TestUser, params: Record<string, string>) {
  const answer = await search(server, user, params)
  expect(answer.status).toBe(200)
  return (answer.body as Page).results.map((hit) => `${hit.room}:${hit.text}`)
}

async function room(server: TestServer, owner: TestUser, name: string, visibility: string) {
  const created = await api(server.url, '/api/rooms', {
    token: owner.token,
    body: { name, visibility },
  })
  expect(created.status).toBe(201)
}

describe.each(engines)('search on %s', (_engine, start) => {
  it('finds Chinese by two-character and longer substrings, mixed with Latin, marked', async () => {
    const server = await start()
    const ann = await registerUser(server.url)
    await room(server, ann, 'films', 'public')
    await post(server, ann, 'films', '我们今天晚上去看电影吧')
    await post(server, ann, 'films', 'Movie night: 看电影 with Bob')
    await post(server, ann, 'films', '电视剧 is something else')
    expect(await texts(server, ann, { q: '电影' })).toEqual([
      'films:Movie night: 看电影 with Bob',
      'films:我们今天晚上去看电影吧',
    ])
    expect(await texts(server, ann, { q: '看电影' })).toHaveLength(2)
    expect(await texts(server, ann, { q: '今天晚上去' })).toEqual(['films:我们今天晚上去看电影吧'])
    const mixed = await search(server, ann, { q: 'NIGHT: 看电' })
    const [hit] = (mixed.body as Page).results
    expect(hit).toMatchObject({ room: 'films', seq: 2, user: ann.username })
    expect(hit?.highlights).toEqual([[6, 15]])
    expect(hit?.text.slice(6, 15)).toBe('night: 看电')
    expect(mixed.headers.get('cache-control')).toBe('no-store')
  })

  it('private rooms and DMs reach members only, and stop at removal', async () => {
    const server = await start()
    const [ann, bob, eve] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ]
    await room(server, ann, 'vault', 'private')
    await post(server, ann, 'vault', 'the vault password is swordfish')
    const dm = await api(server.url, '/api/dms', {
      token: ann.token,
      body: { users: [bob.username] },
    })
    const dmName = (dm.body as { room: { name: string } }).room.name
    await post(server, ann, dmName, 'swordfish between us two')
    expect(await texts(server, eve, { q: 'swordfish' })).toEqual([])
    expect(await texts(server, bob, { q: 'swordfish' })).toEqual([
      `${dmName}:swordfish between us two`,
    ])
    // Naming the room does not help a non-member: the same 404 as a room that does not exist.
    const named = await search(server, eve, { q: 'swordfish', room: 'vault' })
    const missing = await search(server, eve, { q: 'swordfish', room: 'no-such-room' })
    expect(named.status).toBe(404)
    expect(named.body).toEqual(missing.body)
    expect((await search(server, eve, { q: 'swordfish', room: dmName })).status).toBe(404)

    const invited = await api(server.url, '/api/rooms/vault/members', {
      token: ann.token,
      body: { username: bob.username },
    })
    expect(invited.status).toBe(201)
    expect(await texts(server, bob, { q: 'swordfish' })).toEqual([
      `${dmName}:swordfish between us two`,
      'vault:the vault password is swordfish',
    ])
    const removed = await api(server.url, `/api/rooms/vault/members/${bob.username}`, {
      token: ann.token,
      method: 'DELETE',
    })
    expect(removed.status).toBe(204)
    expect(await texts(server, bob, { q: 'swordfish' })).toEqual([
      `${dmName}:swordfish between us two`,
    ])
    expect(await texts(server, ann, { q: 'swordfish' })).toHaveLength(2)
  })

  it('an edit re-indexes the message; a delete removes it', async () => {
    const server = await start()
    const ann = await registerUser(server.url)
    await room(server, ann, 'edits', 'public')
    const seq = await post(server, ann, 'edits', 'meet at the harbour')
    const gone = await post(server, ann, 'edits', 'meet at the lighthouse')
    const edited = await api(server.url, `/api/rooms/edits/messages/${seq}`, {
      token: ann.token,
      method: 'PATCH',
      body: { text: 'meet at the station', cid: 'e1' },
    })
    expect(edited.status).toBe(200)
    const deleted = await api(server.url, `/api/rooms/edits/messages/${gone}`, {
      token: ann.token,
      method: 'DELETE',
    })
    expect(deleted.status).toBe(200)
    expect(await texts(server, ann, { q: 'harbour' })).toEqual([])
    expect(await texts(server, ann, { q: 'station' })).toEqual(['edits:meet at the station'])
    expect(await texts(server, ann, { q: 'lighthouse' })).toEqual([])
    expect(await texts(server, ann, { q: 'meet at' })).toEqual(['edits:meet at the station'])
  })

  it('pages newest first with before, and filters by room and by author', async () => {
    const server = await start()
    const [ann, bob] = [await registerUser(server.url), await registerUser(server.url)]
    await room(server, ann, 'one', 'public')
    await room(server, bob, 'two', 'public')
    await api(server.url, '/api/rooms/two/join', { token: ann.token, method: 'POST' })
    const join = await api(server.url, '/api/rooms/two/members', {
      token: ann.token,
      body: { username: ann.username },
    })
    expect([200, 201, 204]).toContain(join.status)
    for (let i = 1; i <= 5; i++) await post(server, ann, 'one', `agenda item ${i}`)
    await post(server, bob, 'two', 'agenda item 6')
    const first = await search(server, ann, { q: 'agenda', limit: '4' })
    const page1 = first.body as Page
    expect(page1.results.map((hit) => hit.text.slice(-1))).toEqual(['6', '5', '4', '3'])
    expect(page1.next).toEqual(expect.any(String))
    const second = await search(server, ann, { q: 'agenda', limit: '4', before: page1.next! })
    const page2 = second.body as Page
    expect(page2.results.map((hit) => hit.text.slice(-1))).toEqual(['2', '1'])
    expect(page2.next).toBeNull()
    expect(await texts(server, ann, { q: 'agenda', room: 'two' })).toEqual(['two:agenda item 6'])
    expect(await texts(server, ann, { q: 'agenda', user: bob.username })).toEqual([
      'two:agenda item 6',
    ])
    expect(await texts(server, ann, { q: 'agenda', user: 'nobody-here' })).toEqual([])
  })

  it('LIKE and FTS5 syntax in a query is literal and never an error', async () => {
    const server = await start()
    const ann = await registerUser(server.url)
    await room(server, ann, 'syntax', 'public')
    for (const text of [
      'a 100% done',
      'snake_case',
      'C:\\temp\\x',
      'she said "yes"',
      'a*b NEAR(x y) ^top -neg (grp)',
    ])
      await post(server, ann, 'syntax', text)
    for (const [q, count] of [
      ['0%', 1],
      ['e_c', 1],
      ['\\te', 1],
      ['"yes"', 1],
      ['a*b', 1],
      ['NEAR(x', 1],
      ['^top', 1],
      ['-neg', 1],
      ['(grp)', 1],
      ['%%', 0],
      ['__', 0],
      ['\\\\', 0],
      ['""', 0],
      ['* OR *', 0],
      ['x NOT y', 0],
      ["'; drop table messages; --", 0],
    ] as const) {
      expect(await texts(server, ann, { q }), q).toHaveLength(count)
    }
  })
})

describe('search input', () => {
  it('answers 400 for empty, one-character, over-long and malformed queries', async () => {
    const server = await startServer()
    const ann = await registerUser(server.url)
    for (const params of [
      {},
      { q: '' },
      { q: '   ' },
      { q: 'x' },
      { q: 'x'.repeat(1_000) },
      { q: 'x'.repeat(201) },
      { q: 'tab\there' },
      { q: 'ok', limit: '0' },
      { q: 'ok', limit: '51' },
      { q: 'ok', limit: 'ten' },
      { q: 'ok', before: 'not a cursor' },
      { q: 'ok', before: '12:34' },
      { q: 'ok', room: '../lobby' },
      { q: 'ok', extra: '1' },
    ]) {
      const answer = await search(server, ann, params)
      expect(answer.status, JSON.stringify(params)).toBe(400)
      expect(answer.body).toMatchObject({ error: { code: 'invalid_request' } })
    }
    expect((await search(server, ann, { q: 'x'.repeat(200) })).status).toBe(200)
  })

  it('needs a session, and is rate-limited per user', async () => {
    const server = await startServer({ SEARCHES_PER_MINUTE: '3' })
    const [ann, bob] = [await registerUser(server.url), await registerUser(server.url)]
    expect((await api(server.url, '/api/search?q=hello')).status).toBe(401)
    for (let i = 0; i < 3; i++) expect((await search(server, ann, { q: 'hello' })).status).toBe(200)
    const limited = await search(server, ann, { q: 'hello' })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toEqual(expect.any(String))
    expect((await search(server, bob, { q: 'hello' })).status).toBe(200)
  })
})
