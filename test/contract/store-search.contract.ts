/** The Store contract's search half (src/domain/search-port.ts): substring, access in the query, paging. */
import { beforeEach, expect, it } from 'vitest'
import { isChatError } from '../../src/domain/errors.js'
import type { AppendInput, ChangeInput, RoomChange, Store } from '../../src/domain/ports.js'
import type { SearchQuery } from '../../src/domain/search-port.js'

let counter = 0
const ann = { id: 'u-ann', username: 'Ann', passwordHash: 'h', createdAt: 1 }
const bob = { id: 'u-bob', username: 'bob', passwordHash: 'h', createdAt: 1 }
type Who = { id: string; username: string }

function say(room: string, user: Who, text: string): AppendInput {
  counter++
  return {
    id: `m${counter}`,
    room,
    userId: user.id,
    username: user.username,
    text,
    cid: `c${counter}`,
    ts: 10_000 + counter,
  }
}

function change(room: string, by: Who, c: RoomChange): ChangeInput {
  counter++
  return {
    id: `e${counter}`,
    room,
    userId: by.id,
    username: by.username,
    ts: 20_000 + counter,
    change: c,
  }
}

const memberOp = (subject: Who, op: 'invite' | 'remove' | 'join'): RoomChange => ({
  type: 'member',
  subjectId: subject.id,
  subject: subject.username,
  op,
})

/** Runs inside a describe whose beforeEach hands over a migrated store. */
export function searchCases(current: () => Store): void {
  let store: Store
  const find = async (who: Who, text: string, extra: Partial<SearchQuery> = {}) =>
    (await store.searchMessages({ userId: who.id, text, limit: 50, ...extra })).map(
      (hit) => `${hit.room}#${hit.seq}:${hit.text}`,
    )
  const send = async (room: string, who: Who, text: string) =>
    (await store.append(say(room, who, text))).message.seq

  beforeEach(async () => {
    store = current()
    for (const user of [ann, bob]) await store.createUser(user)
    await store.createRoom({
      name: 'pub',
      createdAt: 5,
      createdBy: 'Ann',
      kind: 'public',
      topic: null,
      members: [{ userId: ann.id, role: 'owner' }],
    })
    await store.createRoom({
      name: 'priv',
      createdAt: 5,
      createdBy: 'Ann',
      kind: 'private',
      topic: null,
      members: [{ userId: ann.id, role: 'owner' }],
    })
  })

  it('finds CJK substrings of two and more characters, mixed with Latin, ignoring case', async () => {
    await send('pub', ann, '我们今天晚上去看电影吧')
    await send('pub', ann, '周末看电影')
    await send('pub', ann, 'Release 电影Night tomorrow')
    await send('pub', ann, '电视 is not it')
    expect(await find(ann, '电影')).toEqual([
      'pub#3:Release 电影Night tomorrow',
      'pub#2:周末看电影',
      'pub#1:我们今天晚上去看电影吧',
    ])
    expect(await find(ann, '看电影')).toEqual(['pub#2:周末看电影', 'pub#1:我们今天晚上去看电影吧'])
    expect(await find(ann, '电影night')).toEqual(['pub#3:Release 电影Night tomorrow'])
    expect(await find(ann, 'RELEASE')).toEqual(['pub#3:Release 电影Night tomorrow'])
    expect(await find(ann, 'ow')).toEqual(['pub#3:Release 电影Night tomorrow'])
    expect(await find(ann, '电影院')).toEqual([])
  })

  it('searches only rooms the user is a member of now; a public room only when asked for', async () => {
    await send('priv', ann, 'secret launch code')
    await send('pub', ann, 'public launch party')
    expect(await find(bob, 'launch')).toEqual([])
    expect(await find(bob, 'launch', { room: 'priv' })).toEqual([])
    expect(await find(bob, 'launch', { room: 'pub' })).toEqual(['pub#1:public launch party'])
    expect(await find(ann, 'launch')).toEqual([
      'pub#1:public launch party',
      'priv#1:secret launch code',
    ])
    await store.applyChange(change('priv', ann, memberOp(bob, 'invite')))
    expect(await find(bob, 'launch')).toEqual(['priv#1:secret launch code'])
    await store.applyChange(change('priv', ann, memberOp(bob, 'remove')))
    expect(await find(bob, 'launch')).toEqual([])
    // A server admin reads any room they name.
    expect(await find(bob, 'launch', { room: 'priv', anyRoom: true })).toEqual([
      'priv#1:secret launch code',
    ])
  })

  it('an edit is found by its new text only; a deleted message is never found', async () => {
    const seq = await send('pub', ann, 'the old wording')
    const gone = await send('pub', ann, 'doomed wording')
    await store.changeMessage({
      id: 'x1',
      room: 'pub',
      userId: ann.id,
      username: ann.username,
      cid: 'edit-1',
      ts: 30_000,
      target: seq,
      change: { type: 'edit', text: 'the new phrasing', mentions: [] },
    })
    await store.changeMessage({
      id: 'x2',
      room: 'pub',
      userId: ann.id,
      username: ann.username,
      cid: 'del-1',
      ts: 30_001,
      target: gone,
      change: { type: 'delete' },
    })
    expect(await find(ann, 'old')).toEqual([])
    expect(await find(ann, 'phrasing')).toEqual(['pub#1:the new phrasing'])
    expect(await find(ann, 'doomed')).toEqual([])
    expect(await find(ann, 'wording')).toEqual([])
    // Member events and the edit event are log rows, never hits.
    expect(await find(ann, 'new')).toEqual(['pub#1:the new phrasing'])
  })

  it('treats every character literally: LIKE and FTS5 syntax find only themselves', async () => {
    const texts = [
      '100% sure',
      'snake_case name',
      'C:\\path\\file',
      'say "hi" now',
      'a*b and NEAR(x y) ^start -minus',
      '(paren) group',
    ]
    for (const text of texts) await send('pub', ann, text)
    await send('pub', ann, '1000 surely not')
    for (const [query, hits] of [
      ['0%', 1],
      ['e_c', 1],
      ['\\pa', 1],
      ['"hi"', 1],
      ['a*b', 1],
      ['NEAR(x', 1],
      ['^start', 1],
      ['-minus', 1],
      ['(paren)', 1],
      ['%%', 0],
      ['__', 0],
      ['""', 0],
      ['* OR *', 0],
      ['x AND y', 0],
    ] as const) {
      expect((await find(ann, query)).length, query).toBe(hits)
    }
  })

  it('pages newest first with a cursor, and filters by room and author', async () => {
    for (let i = 1; i <= 5; i++) await send('pub', i % 2 ? ann : bob, `note ${i}`)
    await store.applyChange(change('priv', ann, memberOp(bob, 'invite')))
    await send('priv', bob, 'note 6')
    const first = await store.searchMessages({ userId: ann.id, text: 'note', limit: 4 })
    expect(first.map((h) => h.text)).toEqual(['note 6', 'note 5', 'note 4', 'note 3'])
    const second = await store.searchMessages({
      userId: ann.id,
      text: 'note',
      limit: 4,
      before: first.at(-1)!.cursor,
    })
    expect(second.map((h) => h.text)).toEqual(['note 2', 'note 1'])
    expect(second[0]).toMatchObject({ room: 'pub', seq: 2, user: 'bob' })
    expect(await find(ann, 'note', { room: 'priv' })).toEqual(['priv#2:note 6'])
    expect(await find(ann, 'note', { authorId: bob.id })).toEqual([
      'priv#2:note 6',
      'pub#4:note 4',
      'pub#2:note 2',
    ])
  })

  it('refuses a cursor it never made', async () => {
    const error: unknown = await store
      .searchMessages({ userId: ann.id, text: 'note', limit: 5, before: 'nonsense' })
      .catch((e: unknown) => e)
    expect(isChatError(error) && error.code).toBe('invalid_request')
  })
}
