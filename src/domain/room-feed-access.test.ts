// RoomFeed ends a user's subscriptions when it emits their removal or leave, and refuses a subscriber
// whose access was checked before a removal it has since emitted; what it remembers of membership
// follows the same removals.
import { describe, expect, it } from 'vitest'
import { FakeSubscriber } from '../../test/support/fake-subscriber.js'
import { createMemoryStore } from '../store/memory-store.js'
import { isChatError } from './errors.js'
import type { RoomChange, Store } from './ports.js'
import { RoomFeed } from './room-feed.js'
import type { RoomSubscriber } from './subscriber.js'

const ROOM = 'team'

async function setup() {
  const store = createMemoryStore()
  await store.createRoom({
    name: ROOM,
    createdAt: 0,
    createdBy: 'owner',
    kind: 'private',
    topic: null,
    members: [],
  })
  const ended: RoomSubscriber[] = []
  const feed = new RoomFeed(
    ROOM,
    store,
    () => {},
    undefined,
    undefined,
    (_, s) => ended.push(s),
  )
  await feed.ready
  return { store, feed, ended }
}

async function change(
  store: Store,
  feed: RoomFeed,
  user: string,
  op: 'invite' | 'remove' | 'leave',
) {
  const c: RoomChange = { type: 'member', subjectId: `u-${user}`, subject: user, op }
  const event = await store.applyChange({
    id: `${op}-${user}`,
    room: ROOM,
    userId: 'u-owner',
    username: 'owner',
    ts: 1,
    change: c,
  })
  if (!event) throw new Error('nothing changed')
  feed.accept(event)
  return event
}

describe('RoomFeed and access', () => {
  it('delivers a removal, then ends every subscription of its subject and only theirs', async () => {
    const { store, feed, ended } = await setup()
    await change(store, feed, 'ann', 'invite')
    await change(store, feed, 'bob', 'invite')
    const [tab1, tab2, bob] = [
      new FakeSubscriber('t1', 'ann'),
      new FakeSubscriber('t2', 'ann'),
      new FakeSubscriber('b1', 'bob'),
    ]
    for (const s of [tab1, tab2, bob]) await feed.attach(s, feed.lastSeq)
    const removal = await change(store, feed, 'ann', 'remove')
    for (const tab of [tab1, tab2]) {
      expect(tab.seqs).toEqual([removal.seq])
      expect(tab.endings).toEqual([{ room: ROOM, reason: 'removed' }])
      expect(feed.has(tab)).toBe(false)
    }
    expect(ended).toEqual([tab1, tab2])
    expect(feed.has(bob)).toBe(true)

    const { message } = await store.append({
      id: 'm1',
      room: ROOM,
      userId: 'u-bob',
      username: 'bob',
      text: 'after',
      cid: 'c1',
      ts: 2,
    })
    feed.accept(message)
    expect(bob.seqs).toEqual([removal.seq, message.seq])
    expect(tab1.seqs).toEqual([removal.seq])
    expect(bob.endings).toEqual([])
  })

  it('ends a catching-up subscription too, and says `left` for a leave', async () => {
    const { store, feed } = await setup()
    await change(store, feed, 'ann', 'invite')
    const catchingUp = new FakeSubscriber('t1', 'ann', { congestWhen: () => true })
    const attached = feed.attach(catchingUp, 0)
    await catchingUp.until(() => catchingUp.waitingForDrain)
    await change(store, feed, 'ann', 'leave')
    expect(catchingUp.endings).toEqual([{ room: ROOM, reason: 'left' }])
    catchingUp.drain()
    await attached
    expect(feed.has(catchingUp)).toBe(false)
  })

  it('refuses a subscriber whose access was checked before a removal the feed has emitted', async () => {
    const { store, feed } = await setup()
    await change(store, feed, 'ann', 'invite')
    const checkedAt = feed.lastSeq
    await change(store, feed, 'ann', 'remove')
    const late = new FakeSubscriber('t1', 'ann')
    const error = await feed.attach(late, checkedAt, checkedAt).catch((e: unknown) => e)
    expect(isChatError(error) && error.code).toBe('room_not_found')
    expect(feed.has(late)).toBe(false)
    // Checked after the removal (a new invite since): accepted.
    await change(store, feed, 'ann', 'invite')
    await feed.attach(late, feed.lastSeq, feed.lastSeq)
    expect(feed.has(late)).toBe(true)
  })

  it('forgets a remembered member at their removal, and does not remember a read older than it', async () => {
    const { store, feed } = await setup()
    await change(store, feed, 'ann', 'invite')
    feed.rememberMember('ann', feed.lastSeq)
    expect(feed.knowsMember('ann')).toBe(true)
    const readAt = feed.lastSeq
    await change(store, feed, 'ann', 'remove')
    expect(feed.knowsMember('ann')).toBe(false)
    // A Store read begun before the removal was emitted may predate it.
    feed.rememberMember('ann', readAt)
    expect(feed.knowsMember('ann')).toBe(false)
    feed.rememberMember('ann', feed.lastSeq)
    expect(feed.knowsMember('ann')).toBe(true)
  })
})
