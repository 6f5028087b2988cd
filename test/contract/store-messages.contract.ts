/** The Store contract's message-change half: edits, deletes, reactions and replies, in the log and the timeline. */
import { beforeEach, expect, it } from 'vitest'
import { isChatError } from '../../src/domain/errors.js'
import {
  MAX_REACTION_KINDS,
  type AppendInput,
  type MessageChange,
  type MessageChangeInput,
  type Store,
} from '../../src/domain/ports.js'

let counter = 0
const ann = { id: 'u-ann', username: 'Ann', passwordHash: 'h', createdAt: 1 }
const bob = { id: 'u-bob', username: 'bob', passwordHash: 'h', createdAt: 1 }
type Who = { id: string; username: string }

function say(room: string, user: Who, text: string, extra: Partial<AppendInput> = {}): AppendInput {
  counter++
  return {
    id: `m${counter}`,
    room,
    userId: user.id,
    username: user.username,
    text,
    cid: `c${counter}`,
    ts: 1000 + counter,
    ...extra,
  }
}

function changeOf(
  room: string,
  user: Who,
  target: number,
  change: MessageChange,
  cid = `x${++counter}`,
): MessageChangeInput {
  counter++
  return {
    id: `e${counter}`,
    room,
    userId: user.id,
    username: user.username,
    cid,
    ts: 5000 + counter,
    target,
    change,
  }
}

const edit = (text: string, mentions: string[] = []): MessageChange => ({
  type: 'edit',
  text,
  mentions,
})
const del: MessageChange = { type: 'delete' }
const react = (emoji: string, op: 'add' | 'remove' = 'add'): MessageChange => ({
  type: 'reaction',
  emoji,
  op,
})

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return isChatError(error) ? error.code : error
}

/** Runs inside a describe whose beforeEach hands over a migrated store with rooms alpha and beta. */
export function messageChangeCases(current: () => Store): void {
  let store: Store
  beforeEach(async () => {
    store = current()
    for (const user of [ann, bob]) await store.createUser(user)
  })

  it('an edit is the next event; the message row takes its text, mentions and time', async () => {
    const { message } = await store.append(say('alpha', ann, 'helo @bob', { mentions: ['bob'] }))
    const input = changeOf('alpha', ann, message.seq, edit('hello @Ann', ['Ann']))
    const { event, created } = await store.changeMessage(input)
    expect(created).toBe(true)
    expect(event).toEqual({
      type: 'edit',
      room: 'alpha',
      seq: 2,
      user: 'Ann',
      ts: input.ts,
      cid: input.cid,
      target: 1,
      text: 'hello @Ann',
      mentions: ['Ann'],
    })
    expect(await store.lastSeq('alpha')).toBe(2)
    const log = await store.messagesAfter('alpha', 0, 10)
    expect(log[1]).toEqual(event)
    // The log's message is the message as it is now: replaying the edit after it changes nothing.
    expect(log[0]).toMatchObject({ type: 'message', text: 'hello @Ann', editedAt: input.ts })
    const [timeline] = await store.messagesBefore('alpha', undefined, 10)
    expect(timeline).toMatchObject({
      seq: 1,
      text: 'hello @Ann',
      mentions: ['Ann'],
      editedAt: input.ts,
      deleted: false,
      reactions: {},
      replies: 0,
    })
    expect(await store.findMessage('alpha', 1)).toEqual({
      seq: 1,
      userId: ann.id,
      username: 'Ann',
      text: 'hello @Ann',
      mentions: ['Ann'],
      deleted: false,
    })
  })

  it('refuses an edit of someone else’s message, and targets that are no message of the room', async () => {
    await store.append(say('alpha', ann, 'mine'))
    await store.append(say('beta', ann, 'elsewhere'))
    await store.append(say('beta', ann, 'two'))
    expect(await codeOf(store.changeMessage(changeOf('alpha', bob, 1, edit('hijack'))))).toBe(
      'not_your_message',
    )
    for (const target of [2, 99]) {
      for (const change of [edit('x'), del, react('👍')]) {
        expect(await codeOf(store.changeMessage(changeOf('alpha', ann, target, change)))).toBe(
          'message_not_found',
        )
      }
    }
    // An edit event is no message either.
    await store.changeMessage(changeOf('alpha', ann, 1, edit('mine!')))
    expect(await codeOf(store.changeMessage(changeOf('alpha', ann, 2, edit('x'))))).toBe(
      'message_not_found',
    )
    expect(await codeOf(store.changeMessage(changeOf('nowhere', ann, 1, del)))).toBe(
      'room_not_found',
    )
    expect(await store.lastSeq('alpha')).toBe(2)
    expect((await store.findMessage('alpha', 1))?.text).toBe('mine!')
    expect(await store.findMessage('alpha', 2)).toBeUndefined()
  })

  it('a delete erases the text, mentions, previews, reactions and every earlier edit’s text; the tombstone and seqs stay', async () => {
    await store.append(say('alpha', ann, 'secret one @bob', { mentions: ['bob'] }))
    await store.addPreview('alpha', 1, {
      url: 'https://secret.example/',
      title: 'secret',
      description: null,
      image: null,
    })
    await store.changeMessage(changeOf('alpha', ann, 1, edit('secret two @bob', ['bob'])))
    await store.changeMessage(changeOf('alpha', bob, 1, react('🎉')))
    const { event, created } = await store.changeMessage(changeOf('alpha', bob, 1, del))
    expect(created).toBe(true)
    expect(event).toMatchObject({ type: 'delete', seq: 4, target: 1, user: 'bob' })
    expect(await store.lastSeq('alpha')).toBe(4)
    const log = await store.messagesAfter('alpha', 0, 10)
    expect(log.map((e) => [e.type, e.seq])).toEqual([
      ['message', 1],
      ['edit', 2],
      ['reaction', 3],
      ['delete', 4],
    ])
    expect(JSON.stringify(log)).not.toContain('secret')
    expect(log[0]).toMatchObject({ text: '', mentions: [], deleted: true })
    expect(log[0]).not.toHaveProperty('previews')
    expect(log[1]).toMatchObject({ text: '', mentions: [] })
    const timeline = await store.messagesBefore('alpha', undefined, 10)
    expect(timeline).toHaveLength(1)
    expect(timeline[0]).toMatchObject({ seq: 1, text: '', deleted: true, reactions: {} })
    expect(JSON.stringify(timeline)).not.toContain('secret')
    expect(await store.findMessage('alpha', 1)).toMatchObject({ text: '', deleted: true })
    // No preview may come back to a deleted message.
    const preview = { url: 'https://late.example/', title: null, description: null, image: null }
    expect(await store.addPreview('alpha', 1, preview)).toBe(false)
    expect(await store.addPreview('alpha', 99, preview)).toBe(false)
    expect(await store.messagesAfter('alpha', 0, 1)).not.toContainEqual(
      expect.objectContaining({ previews: expect.anything() as unknown }),
    )
  })

  it('after a delete: edits and reactions are refused, deleting again answers with the first delete', async () => {
    await store.append(say('alpha', ann, 'soon gone'))
    const first = await store.changeMessage(changeOf('alpha', ann, 1, del))
    expect(await codeOf(store.changeMessage(changeOf('alpha', ann, 1, edit('back'))))).toBe(
      'message_deleted',
    )
    expect(await codeOf(store.changeMessage(changeOf('alpha', bob, 1, react('👍'))))).toBe(
      'message_deleted',
    )
    const again = await store.changeMessage(changeOf('alpha', bob, 1, del))
    expect(again).toEqual({ event: first.event, created: false })
    expect(await store.lastSeq('alpha')).toBe(2)
  })

  it('the same cid again stores nothing and answers with the first event, even after the target changed', async () => {
    await store.append(say('alpha', ann, 'text'))
    const editing = changeOf('alpha', ann, 1, edit('edited'), 'e-cid')
    const reacting = changeOf('alpha', bob, 1, react('👍'), 'r-cid')
    const first = await store.changeMessage(editing)
    const reacted = await store.changeMessage(reacting)
    expect(await store.changeMessage({ ...editing, id: 'other' })).toEqual({
      event: first.event,
      created: false,
    })
    expect(await store.changeMessage({ ...reacting, id: 'other' })).toEqual({
      event: reacted.event,
      created: false,
    })
    const deleting = changeOf('alpha', ann, 1, del, 'd-cid')
    const deleted = await store.changeMessage(deleting)
    expect(await store.changeMessage(deleting)).toEqual({ event: deleted.event, created: false })
    // The edit's retry after the delete still gets its first answer, not message_deleted.
    expect(await store.changeMessage(editing)).toMatchObject({
      event: { seq: first.event.seq, type: 'edit' },
      created: false,
    })
    expect(await store.lastSeq('alpha')).toBe(4)
    // A cid is one event's: reused for another kind, target or a message, it is refused.
    expect(await codeOf(store.changeMessage(changeOf('alpha', bob, 1, del, 'r-cid')))).toBe(
      'invalid_request',
    )
    expect(await codeOf(store.append({ ...say('alpha', bob, 'hi'), cid: 'r-cid' }))).toBe(
      'invalid_request',
    )
    expect(
      await codeOf(store.changeMessage(changeOf('alpha', ann, 1, edit('x'), 'c-unused'))),
    ).toBe('message_deleted')
    expect(await store.lastSeq('alpha')).toBe(4)
  })

  it('reactions aggregate per emoji in the order people reacted; a remove takes one back', async () => {
    await store.append(say('alpha', ann, 'react to me'))
    const results = []
    for (const [who, change] of [
      [bob, react('👍')],
      [ann, react('👍')],
      [bob, react(':tada:')],
      [bob, react('👍')],
      [ann, react('🎉', 'remove')],
      [bob, react(':tada:', 'remove')],
    ] as const) {
      results.push(await store.changeMessage(changeOf('alpha', who, 1, change)))
    }
    // Every reaction is an event, including those that changed nothing.
    expect(results.map((r) => r.event.seq)).toEqual([2, 3, 4, 5, 6, 7])
    expect(results[0]?.event).toMatchObject({
      type: 'reaction',
      emoji: '👍',
      op: 'add',
      user: 'bob',
    })
    const [message] = await store.messagesBefore('alpha', undefined, 1)
    expect(message?.reactions).toEqual({ '👍': ['bob', 'Ann'] })
  })

  it(`allows ${MAX_REACTION_KINDS} different reactions on a message, not one more`, async () => {
    await store.append(say('alpha', ann, 'popular'))
    const emoji = Array.from({ length: MAX_REACTION_KINDS + 1 }, (_, i) =>
      String.fromCodePoint(0x1f600 + i),
    )
    for (const e of emoji.slice(0, -1))
      await store.changeMessage(changeOf('alpha', bob, 1, react(e)))
    expect(await codeOf(store.changeMessage(changeOf('alpha', bob, 1, react(emoji.at(-1)!))))).toBe(
      'too_many_reactions',
    )
    // More people on an existing one are fine.
    await store.changeMessage(changeOf('alpha', ann, 1, react(emoji[0]!)))
    const [message] = await store.messagesBefore('alpha', undefined, 1)
    expect(Object.keys(message?.reactions ?? {})).toHaveLength(MAX_REACTION_KINDS)
    expect(await store.lastSeq('alpha')).toBe(MAX_REACTION_KINDS + 2)
  })

  it('one batch mixing messages and changes: contiguous seqs in queue order, the same end state', async () => {
    await store.append(say('alpha', ann, 'first'))
    const settled = await Promise.allSettled([
      store.append(say('alpha', bob, 'second')),
      store.changeMessage(changeOf('alpha', ann, 1, edit('first, edited'))),
      store.changeMessage(changeOf('alpha', bob, 2, edit('second, edited'))),
      store.changeMessage(changeOf('alpha', ann, 2, react('👀'))),
      store.changeMessage(changeOf('alpha', bob, 2, del)),
      // Queued after the delete: refused, and it takes no seq.
      store.changeMessage(changeOf('alpha', bob, 2, edit('too late'))),
      store.changeMessage(changeOf('alpha', ann, 2, del)),
      store.changeMessage(changeOf('alpha', ann, 1, edit('first, again'))),
      store.append(say('alpha', ann, 'third', { replyTo: 1 })),
    ])
    const outcome = settled.map((s) =>
      s.status === 'fulfilled'
        ? 'message' in s.value
          ? s.value.message.seq
          : s.value.created
            ? s.value.event.seq
            : `again ${s.value.event.seq}`
        : isChatError(s.reason)
          ? s.reason.code
          : String(s.reason),
    )
    expect(outcome).toEqual([2, 3, 4, 5, 6, 'message_deleted', 'again 6', 7, 8])
    const log = await store.messagesAfter('alpha', 0, 20)
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const timeline = await store.messagesBefore('alpha', undefined, 10)
    expect(timeline.map((m) => [m.seq, m.text, m.deleted])).toEqual([
      [8, 'third', false],
      [2, '', true],
      [1, 'first, again', false],
    ])
    expect(timeline[1]?.reactions).toEqual({})
    expect(timeline[2]).toMatchObject({ replies: 1, editedAt: expect.any(Number) as number })
    expect(JSON.stringify(log)).not.toContain('second')
  })

  it('replies: the timeline counts them and quotes the answered message as it is now', async () => {
    const long = 'x'.repeat(500)
    await store.append(say('alpha', ann, long))
    await store.append(say('alpha', bob, 'a reply', { replyTo: 1 }))
    await store.append(say('alpha', bob, 'another', { replyTo: 1 }))
    await store.append(say('alpha', ann, 'to the reply', { replyTo: 2 }))
    let timeline = await store.messagesBefore('alpha', undefined, 10)
    expect(timeline.map((m) => [m.seq, m.replyTo, m.replies])).toEqual([
      [4, 2, 0],
      [3, 1, 0],
      [2, 1, 1],
      [1, undefined, 2],
    ])
    expect(timeline[1]?.quote).toEqual({ user: 'Ann', text: 'x'.repeat(120), deleted: false })
    expect(timeline[3]?.quote).toBeUndefined()
    expect((await store.messagesAfter('alpha', 1, 1))[0]).toMatchObject({ replyTo: 1 })
    // A deleted reply no longer counts; a deleted parent is quoted as deleted, without its text.
    await store.changeMessage(changeOf('alpha', bob, 3, del))
    await store.changeMessage(changeOf('alpha', ann, 1, del))
    timeline = await store.messagesBefore('alpha', undefined, 10)
    expect(timeline.find((m) => m.seq === 1)?.replies).toBe(1)
    expect(timeline.find((m) => m.seq === 2)?.quote).toEqual({
      user: 'Ann',
      text: '',
      deleted: true,
    })
  })

  it('finds the members among names, in any case, and only members', async () => {
    await store.addMembers('alpha', [{ userId: ann.id, role: 'member' }])
    const found = await store.membersNamed('alpha', ['ANN', 'bob', 'nobody'])
    expect(found.map((m) => m.username)).toEqual(['Ann'])
    expect(await store.membersNamed('alpha', [])).toEqual([])
  })

  it('refuses a change with an unstorable value alone; its batch commits', async () => {
    await store.append(say('alpha', ann, 'target'))
    const [ok, bad, ok2] = await Promise.allSettled([
      store.changeMessage(changeOf('alpha', bob, 1, react('👍'))),
      store.changeMessage(changeOf('alpha', bob, 1, react('x\u0000'))),
      store.append(say('alpha', ann, 'after')),
    ])
    expect(ok.status === 'fulfilled' && ok.value.event.seq).toBe(2)
    expect(bad.status === 'rejected' && isChatError(bad.reason) && bad.reason.code).toBe(
      'unstorable',
    )
    expect(ok2.status === 'fulfilled' && ok2.value.message.seq).toBe(3)
  })
}
