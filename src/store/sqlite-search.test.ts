// SQLite search beyond the index worker: a search that gives up waiting for it still finds every
// committed message and no edited-away text; an index file of an older layout is rebuilt.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { Store } from '../domain/ports.js'
import type { SearchQuery } from '../domain/search-port.js'
import { SqliteSearch } from './sqlite-search.js'
import {
  LAYOUT,
  searchFileOf,
  type SearchIndexProgress,
  type SqliteSearchIndex,
} from './sqlite-search-index.js'
import { createSqliteStore } from './sqlite-store.js'

let dir: string
let store: Store | undefined
let reader: BetterSqlite3.Database | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-search-lag-'))
})
afterEach(async () => {
  reader?.close()
  reader = undefined
  await store?.close()
  store = undefined
  await rm(dir, { recursive: true, force: true })
})

/** An index that never catches up: its progress stays where it is told. */
function stalled(progress: SearchIndexProgress): SqliteSearchIndex {
  const stub = { progress, caughtUp: () => Promise.resolve() }
  return stub as unknown as SqliteSearchIndex
}

/** A migrated store on `file` (closed after the test) with user u1 in private room r. */
async function openWithRoom(file: string): Promise<Store> {
  const opened = await createSqliteStore({ file })
  store = opened
  await opened.migrate()
  await opened.createUser({ id: 'u1', username: 'ann', passwordHash: 'x', createdAt: 0 })
  await opened.createRoom({
    name: 'r',
    createdAt: 0,
    createdBy: null,
    kind: 'private',
    topic: null,
    members: [{ userId: 'u1', role: 'member' }],
  })
  return opened
}

test('a search past the wait reads what the worker has not reached from the chat table', async () => {
  const file = join(dir, 'eddy.db')
  const opened = await openWithRoom(file)
  let n = 0
  const say = async (text: string): Promise<number> => {
    n += 1
    const input = { id: `m${n}`, room: 'r', userId: 'u1', username: 'ann', text, cid: `c${n}` }
    return (await opened.append({ ...input, ts: n })).message.seq
  }
  const first = await say('watch a 电影 tonight')
  const second = await say('deploy the 电影 build')
  // Through the real worker: both indexed.
  const query = { userId: 'u1', text: '电影', limit: 10 }
  expect((await opened.searchMessages(query)).map((hit) => hit.seq)).toEqual([second, first])

  reader = new BetterSqlite3(file, { readonly: true })
  reader.prepare('attach database ? as search').run(searchFileOf(file))
  const marks = reader
    .prepare<[], { rowid: number; change: number }>(
      `select (select max(rowid) from messages) as rowid,
        (select coalesce(max(id), 0) from search_changes) as change`,
    )
    .get()!
  const writer = new BetterSqlite3(file)
  // After the marks: a new message, and an edit that takes 电影 away from the first.
  const third = await say('a third 电影 message')
  writer
    .prepare("update messages set text = 'nothing here', edited_at = 9 where seq = ?")
    .run(first)
  writer.close()

  for (const progress of [
    { rowid: marks.rowid, change: marks.change, top: marks.rowid, ticket: 0 },
    { rowid: 0, change: 0, top: 0, ticket: 0 },
  ]) {
    const search = new SqliteSearch(reader, stalled(progress))
    const seqs = async (q: Partial<SearchQuery>): Promise<number[]> =>
      (await search.search({ ...query, ...q })).map((hit) => hit.seq)
    expect(await seqs({})).toEqual([third, second])
    expect(await seqs({ text: 'nothing h' })).toEqual([first])
    expect(await seqs({ text: 'watch' })).toEqual([])
    expect(await seqs({ text: '电影', room: 'r' })).toEqual([third, second])
    // The scanned part keeps the access rule: someone not in the private room finds nothing.
    expect(await seqs({ userId: 'u2' })).toEqual([])
    expect(await seqs({ userId: 'u2', room: 'r' })).toEqual([])
    // Paged across both parts, newest first.
    const page = await search.search({ ...query, limit: 1 })
    expect(page.map((hit) => hit.seq)).toEqual([third])
    expect(await seqs({ limit: 1, before: page[0]!.cursor })).toEqual([second])
  }
})

test('an index file of an older layout (the first, with no version) is rebuilt from the chat table', async () => {
  const file = join(dir, 'eddy.db')
  const old = new BetterSqlite3(searchFileOf(file))
  old.exec(`create virtual table message_search using fts5(
      body, room_key, tokenize = 'trigram', content = '', contentless_delete = 1);
    create virtual table message_search_terms using fts5vocab(message_search, 'row');
    create table search_state (id integer primary key check (id = 1),
      message_rowid integer not null, change_id integer not null);
    insert into search_state values (1, 1000, 1000);
    insert into message_search (rowid, body, room_key) values (1, 'stale 电影 text', 'xyz');`)
  old.close()
  const opened = await openWithRoom(file)
  const input = { id: 'm1', room: 'r', userId: 'u1', username: 'ann', cid: 'c1', ts: 1 }
  const { seq } = (await opened.append({ ...input, text: 'a fresh 电影 here' })).message
  for (const text of ['电影', 'fresh 电', 'FRESH']) {
    const hits = await opened.searchMessages({ userId: 'u1', text, limit: 10 })
    expect(hits.map((hit) => [hit.seq, hit.text])).toEqual([[seq, 'a fresh 电影 here']])
  }
  expect(await opened.searchMessages({ userId: 'u1', text: 'stale', limit: 10 })).toEqual([])
  reader = new BetterSqlite3(searchFileOf(file), { readonly: true })
  expect(reader.pragma('user_version', { simple: true })).toBe(LAYOUT)
  const schema = reader
    .prepare<[], { sql: string }>("select sql from sqlite_master where name = 'message_search'")
    .get()
  expect(schema?.sql).not.toContain('detail = none')
})
