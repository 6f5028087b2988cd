/** Rooms in the web client: leaving and rejoining one, scrolling back through its history. */
import { describe, expect, test } from 'vitest'
import { startServer } from '../support/start-server.js'
import {
  browser,
  enterRoom,
  messageTexts,
  myName,
  PASSWORD,
  send,
  signedInAs,
  twoUsersIn,
  uniqueName,
  waitForMessage,
  type Browser,
} from './support.js'

describe('web client: rooms', () => {
  test(
    'leaving a room: back to the lobby, the others see it, a reload keeps it left, rejoining catches up',
    { timeout: 90_000 },
    async () => {
      // Leaving is chosen, so the others see "left" at once: a presence grace (the wait that lets a
      // reload pass unseen) longer than any wait below makes sure it is not what they waited for.
      const server = await startServer({ PRESENCE_LEAVE_GRACE_MS: '30000' })
      // Bob makes the room and owns it: alice, a member, may leave (its last owner may not).
      const [bob, alice] = await twoUsersIn(server.url, 'book-club')
      const aliceName = await myName(alice)
      const joined = (b: Browser) => b.page.getByRole('list', { name: 'Joined rooms' })
      await send(alice.page, 'before leaving')
      await waitForMessage(bob.page, 'before leaving')

      // The lobby cannot be left: it has no Leave button.
      await alice.page.getByRole('button', { name: 'Leave #book-club' }).click()
      await alice.page.getByRole('heading', { name: '# lobby' }).waitFor()
      expect(await alice.page.getByRole('button', { name: /^Leave/ }).count()).toBe(0)
      await joined(alice)
        .getByRole('button', { name: /book-club/ })
        .waitFor({ state: 'detached' })
      await alice.page.getByRole('button', { name: 'Join book-club' }).waitFor()
      await bob.page.getByText(`${aliceName} left`).waitFor()
      await bob.page
        .locator('.online-list li', { hasText: aliceName })
        .waitFor({ state: 'detached' })

      // Alice joined once already (bob made the room): the lines after that are what count.
      const joinedLines = () => bob.page.getByText(`${aliceName} joined`).count()
      const joinedBefore = await joinedLines()
      // Bob talks while alice is away; a reload does not bring the room back.
      await send(bob.page, 'while you were away')
      await waitForMessage(bob.page, 'while you were away')
      await alice.page.reload()
      await alice.page.getByRole('heading', { name: '# lobby' }).waitFor()
      await alice.page.getByRole('button', { name: 'Join book-club' }).waitFor()
      expect(
        await joined(alice)
          .getByRole('button', { name: /book-club/ })
          .count(),
      ).toBe(0)
      expect(await joinedLines()).toBe(joinedBefore)

      // Rejoining from the list: the history has what was said before and while away, once each.
      await alice.page.getByRole('button', { name: 'Join book-club' }).click()
      await alice.page.getByRole('heading', { name: '# book-club' }).waitFor()
      await joined(alice)
        .getByRole('button', { name: /book-club/ })
        .waitFor()
      await waitForMessage(alice.page, 'while you were away')
      await expect.poll(joinedLines).toBe(joinedBefore + 1)
      await send(bob.page, 'welcome back')
      await waitForMessage(alice.page, 'welcome back')
      const expected = ['before leaving', 'while you were away', 'welcome back']
      expect(await messageTexts(alice.page)).toEqual(expected)
      expect(await messageTexts(bob.page)).toEqual(expected)
    },
  )

  test('scrolling up loads older history', { timeout: 60_000 }, async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const seeder = await seed(server.url, 'history', 120)
    const b = await browser()
    await signedInAs(b, server.url, uniqueName('reader'))
    await enterRoom(b, 'history')
    await waitForMessage(b.page, `${seeder}: message 120`)
    expect((await messageTexts(b.page)).length).toBeLessThan(120)

    const scroller = b.page.getByLabel('Messages in history')
    const start = b.page.getByText('This is the start of #history.')
    const shown = () => b.page.locator('.messages li.msg').count()
    for (let i = 0; i < 10; i++) {
      if (await start.isVisible()) break
      const before = await shown()
      await scroller.hover()
      await b.page.mouse.wheel(0, -20_000)
      // Reaching the top fetches an older page: wait for it to land before scrolling again.
      await expect
        .poll(async () => (await start.isVisible()) || (await shown()) > before, {
          timeout: 10_000,
        })
        .toBe(true)
    }
    await start.waitFor()
    const texts = await messageTexts(b.page)
    expect(texts).toEqual(Array.from({ length: 120 }, (_, i) => `${seeder}: message ${i + 1}`))

    // Time to first message: a signed-in reload until the newest message is on screen.
    const started = performance.now()
    await b.page.reload()
    await waitForMessage(b.page, `${seeder}: message 120`)
    console.log(
      `time to first message (reload → newest message visible): ${(performance.now() - started).toFixed(0)} ms`,
    )
  })
})

/** Registers a user over HTTP and posts `count` messages to a new room. */
async function seed(baseUrl: string, room: string, count: number): Promise<string> {
  const username = uniqueName('seed')
  const response = await fetch(`${baseUrl}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  const { token } = (await response.json()) as { token: string }
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: room }),
  })
  for (let i = 1; i <= count; i++) {
    const body = JSON.stringify({ text: `${username}: message ${i}`, cid: `seed-${i}` })
    const posted = await fetch(`${baseUrl}/api/rooms/${room}/messages`, {
      method: 'POST',
      headers,
      body,
    })
    if (posted.status !== 201)
      throw new Error(`seed failed: ${posted.status} ${await posted.text()}`)
  }
  return username
}
