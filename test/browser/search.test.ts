/**
 * Search in the web client against the real server: the sidebar's box finds Chinese by a
 * two-character substring, results are grouped by room with the match in <mark> (text, not
 * HTML), a private room's message never shows, and choosing a result (by keyboard) opens its room
 * at the message, loading older history until it is there, highlighted and focused.
 */
import { expect, test } from 'vitest'
import { api, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, enterRoom, signedInAs, uniqueName } from './support.js'

test('search finds, groups, marks and jumps to the message', { timeout: 120_000 }, async () => {
  const server = await startServer({ RATE_LIMITS: 'off' })
  const carol = await registerUser(server.url)
  let n = 0
  const post = async (room: string, text: string) => {
    const sent = await api(server.url, `/api/rooms/${room}/messages`, {
      token: carol.token,
      body: { text, cid: `c${++n}` },
    })
    expect(sent.status).toBe(201)
  }
  for (const [name, visibility] of [
    ['films', 'public'],
    ['hidden', 'private'],
  ])
    await api(server.url, '/api/rooms', { token: carol.token, body: { name, visibility } })
  await post('films', '我们今天晚上去看电影吧 <b>bold?</b>')
  // Enough later messages that the target is not in the room's first page of history.
  for (let i = 0; i < 90; i++) await post('films', `filler ${i}`)
  await post('hidden', '秘密电影 only for members')
  await post('lobby', '电影 in the lobby too')

  const alice = await browser()
  await signedInAs(alice, server.url, uniqueName('alice'))
  await enterRoom(alice, 'films')
  await enterRoom(alice, 'general')
  const page = alice.page

  const box = page.getByRole('searchbox', { name: 'Search messages' })
  await box.fill('电影')
  await box.press('Enter')
  const results = page.getByRole('region', { name: 'Results for 电影' })
  await results.waitFor()
  // Grouped by room, newest first: the lobby's then the films'; the private room's never.
  expect(await results.locator('.search-room-name').allInnerTexts()).toEqual(['# lobby', '# films'])
  expect(await results.getByText('秘密').count()).toBe(0)
  const hit = results.locator('.search-hit[data-room="films"]')
  expect(await hit.locator('mark').innerText()).toBe('电影')
  // The message's own markup-like text stays text.
  expect(await hit.locator('.search-text').innerText()).toContain('<b>bold?</b>')
  expect(await hit.locator('b', { hasText: 'bold?' }).count()).toBe(0)
  // The room list gives way to the results.
  expect(await page.getByRole('list', { name: 'Joined rooms' }).count()).toBe(0)

  // Keyboard: down from the box to the first result, down again to the films one, Enter.
  await box.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  // (A string: the test files are typed without the DOM.)
  expect(await page.evaluate('document.activeElement.dataset.room')).toBe('films')
  await page.keyboard.press('Enter')
  await page.getByRole('main').getByRole('heading', { name: '# films' }).waitFor()
  const target = page.locator('li.msg.highlight', { hasText: '我们今天晚上去看电影吧' })
  await target.waitFor()
  await page.locator('li.msg:focus', { hasText: '我们今天晚上去看电影吧' }).waitFor()

  // Escape closes the results; the room list is back.
  await box.focus()
  await page.keyboard.press('Escape')
  await results.waitFor({ state: 'detached' })
  await page.getByRole('list', { name: 'Joined rooms' }).waitFor()
  // Only the 409 of entering films, which carol had created.
  expect(alice.errors.filter((error) => !error.includes('(Conflict)'))).toEqual([])
})
