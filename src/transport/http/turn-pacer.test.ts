import { expect, test } from 'vitest'
import { TurnPacer } from './turn-pacer.js'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

test('released answers run a slice per event-loop turn, in order, with other work in between', async () => {
  const pacer = new TurnPacer(16)
  const ran: string[] = []
  for (let i = 0; i < 40; i++) {
    pacer.run(() => {
      ran.push(`answer ${i}`)
      // Chat work (a frame read, a group commit) that arrives while the answers go out.
      if (i === 0) setImmediate(() => ran.push('chat'))
    })
  }
  expect(ran).toEqual([]) // never in the releasing turn itself
  while (ran.filter((r) => r.startsWith('answer')).length < 40) await nextTurn()

  const answers = ran.filter((r) => r.startsWith('answer'))
  expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => `answer ${i}`))
  // The chat work ran before the last slice, not after all forty answers.
  expect(ran.indexOf('chat')).toBeLessThan(ran.indexOf('answer 39'))
  expect(ran.indexOf('chat')).toBe(16)
})

test('turn() resolves every waiter, including ones queued while a slice runs', async () => {
  const pacer = new TurnPacer(2)
  const order: number[] = []
  const waits = Array.from({ length: 5 }, (_, i) =>
    pacer.turn().then(() => {
      order.push(i)
      if (i === 0) void pacer.turn().then(() => order.push(99))
    }),
  )
  await Promise.all(waits)
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(order).toEqual([0, 1, 2, 3, 4, 99])
})
