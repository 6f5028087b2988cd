/**
 * The web client against the real server, in Debian's Chromium: sign-up, two-way chat, presence,
 * typing, HTML-as-text, restart and offline recovery, scroll-back. Screenshots go to docs/.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ChatClient, registerUser } from '../support/clients.js'
import { freePort, freshDataDir, spawnServer, startServer } from '../support/start-server.js'
import {
  buildWeb,
  launch,
  messageTexts,
  PASSWORD,
  registerInUi,
  send,
  waitForMessage,
  type Browser,
} from './support.js'

// Screenshots land in docs/ only when asked (SCREENSHOTS=1), so a plain test run leaves the tree clean.
const DOCS = process.env['SCREENSHOTS']
  ? new URL('../../docs/', import.meta.url).pathname
  : `${mkdtempSync(join(tmpdir(), 'eddy-shots-'))}/`
const open: Browser[] = []
let counter = 0

function name(prefix: string): string {
  counter += 1
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 6)}`
}

async function browser(viewport?: { width: number; height: number }): Promise<Browser> {
  const b = await launch(viewport)
  open.push(b)
  return b
}

/** Creates the room, or opens it when someone else made it first (the server answers 409). */
async function enterRoom(b: Browser, room: string): Promise<void> {
  await b.page.getByLabel('New room').fill(room)
  await b.page.getByRole('button', { name: 'Create' }).click()
  await b.page.getByRole('heading', { name: `# ${room}` }).waitFor()
}

/** Alice and Bob, each signed up in their own browser and sitting in `room`. */
async function twoUsersIn(baseUrl: string, room: string): Promise<[Browser, Browser]> {
  const [alice, bob] = [await browser(), await browser()]
  await registerInUi(alice.page, baseUrl, name('alice'))
  await registerInUi(bob.page, baseUrl, name('bob'))
  await enterRoom(alice, room)
  await enterRoom(bob, room)
  return [alice, bob]
}

beforeAll(async () => {
  const sizes = await buildWeb()
  console.log(
    `web bundle: JS ${(sizes.jsGzipBytes / 1024).toFixed(1)} kB gz, CSS ${(sizes.cssGzipBytes / 1024).toFixed(1)} kB gz`,
  )
}, 60_000)

afterAll(async () => {
  await Promise.all(open.map((b) => b.close()))
})

describe('web client', () => {
  test(
    'two users chat both ways, see presence and typing, and HTML stays text',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = [await browser(), await browser()]
      const [aliceName, bobName] = [name('alice'), name('bob')]

      await registerInUi(alice.page, server.url, aliceName)
      await registerInUi(bob.page, server.url, bobName)
      await enterRoom(alice, 'general')
      await enterRoom(bob, 'general')

      // Presence: alice sees bob arrive and listed as online.
      await alice.page.getByText(`${bobName} joined`).waitFor()
      await alice.page.locator('.online-list li', { hasText: bobName }).waitFor()

      // Typing shows in the other window.
      await alice.page.getByLabel('Message #general').pressSequentially('hel')
      await bob.page.getByText(`${aliceName} is typing…`).waitFor()

      const started = performance.now()
      await send(alice.page, 'hello bob')
      await waitForMessage(bob.page, 'hello bob')
      const firstMessageMs = performance.now() - started
      console.log(
        `time to first message (alice Enter → visible to bob): ${firstMessageMs.toFixed(0)} ms`,
      )

      await send(bob.page, 'hi alice')
      await waitForMessage(alice.page, 'hi alice')

      const hostile = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>']
      for (const text of hostile) await send(alice.page, text)
      for (const text of hostile) await waitForMessage(bob.page, text)
      await send(alice.page, 'docs at https://example.com/docs.')
      await waitForMessage(bob.page, 'docs at')

      for (const b of [alice, bob]) {
        expect(await messageTexts(b.page)).toEqual([
          'hello bob',
          'hi alice',
          ...hostile,
          'docs at https://example.com/docs.',
        ])
        expect(await b.page.locator('.messages .text img, .messages script').count()).toBe(0)
        const link = b.page.locator('.messages .text a', { hasText: 'https://example.com/docs' })
        expect(await link.getAttribute('href')).toBe('https://example.com/docs')
        expect(await link.getAttribute('rel')).toBe('noopener noreferrer')
        expect(await link.getAttribute('target')).toBe('_blank')
        expect(b.dialogs).toEqual([])
      }
      // Own messages are marked.
      expect(await alice.page.locator('.msg.own .text', { hasText: 'hello bob' }).count()).toBe(1)
      expect(await bob.page.locator('.msg.own .text', { hasText: 'hello bob' }).count()).toBe(0)

      // Unread counts: bob looks at another room while alice writes in #general.
      await enterRoom(alice, 'side')
      await enterRoom(bob, 'side')
      await alice.page.getByRole('button', { name: /general/ }).click()
      await send(alice.page, 'are you there?')
      await bob.page.getByLabel('1 unread').waitFor()
      await bob.page.getByRole('button', { name: /general/ }).click()
      await waitForMessage(bob.page, 'are you there?')
      await bob.page.getByLabel('1 unread').waitFor({ state: 'detached' })
      await send(bob.page, 'yes, reading now')
      await waitForMessage(alice.page, 'yes, reading now')

      await alice.page.screenshot({ path: `${DOCS}screenshot-chat.png` })

      // Log out: bob lands on /login and alice sees him leave.
      await bob.page.getByRole('button', { name: 'Log out' }).click()
      await bob.page.waitForURL(`${server.url}/login`)
      await alice.page.getByText(`${bobName} left`).waitFor()
      await bob.page.getByRole('heading', { name: 'Welcome back' }).waitFor()
      await bob.page.screenshot({ path: `${DOCS}screenshot-login.png` })

      // Signed out, / sends you to /login.
      await bob.page.goto(`${server.url}/`)
      await bob.page.waitForURL(`${server.url}/login`)
      expect(alice.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
    },
  )

  test(
    'sign-in forms validate inline and explain server refusals',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const b = await browser()
      const taken = name('taken')
      await registerInUi(b.page, server.url, taken)
      await b.page.getByRole('button', { name: 'Log out' }).click()
      await b.page.waitForURL(`${server.url}/login`)

      await b.page.getByRole('link', { name: 'Create an account' }).click()
      await b.page.waitForURL(`${server.url}/register`)
      await b.page.getByLabel('Username').fill('no spaces!')
      await b.page.getByLabel('Password').fill('short')
      await b.page.getByRole('button', { name: 'Create account' }).click()
      await b.page.getByText('Use only letters, digits').waitFor()
      await b.page.getByText('Passwords need at least 8 characters.').waitFor()
      await b.page.screenshot({ path: `${DOCS}screenshot-register.png` })

      await b.page.getByLabel('Username').fill(taken)
      await b.page.getByLabel('Password').fill(PASSWORD)
      await b.page.getByRole('button', { name: 'Create account' }).click()
      await b.page.getByText('That username is taken. Try another one.').waitFor()

      await b.page.getByRole('link', { name: 'Sign in' }).click()
      await b.page.getByLabel('Username').fill(taken)
      await b.page.getByLabel('Password').fill('wrong password')
      await b.page.getByRole('button', { name: 'Sign in' }).click()
      await b.page.getByText('Wrong username or password.').waitFor()
      await b.page.getByLabel('Password').fill(PASSWORD)
      await b.page.getByRole('button', { name: 'Sign in' }).click()
      await b.page.waitForURL(`${server.url}/`)
    },
  )

  test('too many sign-in attempts say when to try again', { timeout: 60_000 }, async () => {
    const server = await startServer({ LOGIN_ATTEMPTS_PER_MINUTE: '2' })
    const b = await browser()
    await b.page.goto(`${server.url}/login`)
    await b.page.getByLabel('Username').fill(name('nobody'))
    await b.page.getByLabel('Password').fill('wrong password')
    const signIn = b.page.getByRole('button', { name: 'Sign in' })
    for (let i = 0; i < 4; i++) {
      await signIn.click()
      await b.page.getByRole('alert').waitFor()
      if (await b.page.getByText('Too many attempts').isVisible()) break
    }
    await b.page.getByText(/Too many attempts\. Please try again in/).waitFor()
  })

  test(
    'after a server restart and time offline, both pages show every message once, in order',
    { timeout: 120_000 },
    async () => {
      const port = await freePort()
      const env = { PORT: String(port), DATA_DIR: freshDataDir() }
      let server = await spawnServer(env)
      const [alice, bob] = await twoUsersIn(server.url, 'ops')

      await send(alice.page, 'one')
      await waitForMessage(bob.page, 'one')
      await send(bob.page, 'two')
      await waitForMessage(alice.page, 'two')

      // Bob drops off the network; alice keeps talking.
      await bob.context.setOffline(true)
      await send(alice.page, 'three (bob away)')
      await waitForMessage(alice.page, 'three (bob away)')
      // Bob writes while offline: it waits in his outbox.
      await send(bob.page, 'four (written offline)')
      await bob.page.locator('.msg.pending', { hasText: 'four (written offline)' }).waitFor()

      // The server restarts (same data dir) while alice writes.
      await server.stop('SIGTERM')
      await alice.page.getByText('Reconnecting…').waitFor()
      await send(alice.page, 'five (server down)')
      await alice.page.locator('.msg.pending', { hasText: 'five (server down)' }).waitFor()
      server = await spawnServer(env)
      await bob.context.setOffline(false)

      const expected = [
        'one',
        'two',
        'three (bob away)',
        'four (written offline)',
        'five (server down)',
      ]
      for (const b of [alice, bob]) {
        for (const text of expected) await waitForMessage(b.page, text, 20_000)
        await b.page.locator('.msg.pending').waitFor({ state: 'detached', timeout: 20_000 })
      }
      // Order between four and five is whichever reached the server first; each appears once.
      for (const b of [alice, bob]) {
        const texts = await messageTexts(b.page)
        expect(texts.slice(0, 3)).toEqual(expected.slice(0, 3))
        expect([...texts.slice(3)].sort()).toEqual(expected.slice(3).sort())
        expect(texts).toHaveLength(expected.length)
      }
      expect(await messageTexts(alice.page)).toEqual(await messageTexts(bob.page))
      await alice.page.getByText('Reconnecting…').waitFor({ state: 'detached' })
    },
  )

  test(
    'a message written while cut off survives a reload and is delivered once',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'outbox')

      // Cut bob off from both transports: sockets are refused and message POSTs fail.
      let cut = true
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        if (cut) void ws.close({ code: 1011, reason: 'test cuts' })
        else ws.connectToServer()
      })
      await bob.page.route(/\/api\/rooms\/[^/]+\/messages/, (route) =>
        cut && route.request().method() === 'POST' ? route.abort() : route.continue(),
      )
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await send(bob.page, 'kept in the outbox')
      await bob.page.locator('.msg.pending', { hasText: 'kept in the outbox' }).waitFor()

      await bob.page.reload()
      await bob.page.locator('.msg.pending', { hasText: 'kept in the outbox' }).waitFor()

      cut = false
      await waitForMessage(alice.page, 'kept in the outbox', 20_000)
      await bob.page.locator('.msg.pending').waitFor({ state: 'detached', timeout: 20_000 })
      await waitForMessage(bob.page, 'kept in the outbox')
      expect(await messageTexts(alice.page)).toEqual(['kept in the outbox'])
      expect(await messageTexts(bob.page)).toEqual(['kept in the outbox'])
    },
  )

  test(
    'leaving a room: back to the lobby, the others see it, a reload keeps it left, rejoining catches up',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'book-club')
      const aliceName = (await alice.page.locator('.me-name').innerText()).trim()
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
      expect(await bob.page.getByText(`${aliceName} joined`).count()).toBe(0)

      // Rejoining from the list: the history has what was said before and while away, once each.
      await alice.page.getByRole('button', { name: 'Join book-club' }).click()
      await alice.page.getByRole('heading', { name: '# book-club' }).waitFor()
      await joined(alice)
        .getByRole('button', { name: /book-club/ })
        .waitFor()
      await waitForMessage(alice.page, 'while you were away')
      await bob.page.getByText(`${aliceName} joined`).waitFor()
      await send(bob.page, 'welcome back')
      await waitForMessage(alice.page, 'welcome back')
      const expected = ['before leaving', 'while you were away', 'welcome back']
      expect(await messageTexts(alice.page)).toEqual(expected)
      expect(await messageTexts(bob.page)).toEqual(expected)
    },
  )

  test(
    'when the WebSocket keeps failing, long-polling carries the chat until it recovers',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'fallback')
      await send(alice.page, 'before')
      await waitForMessage(bob.page, 'before')

      // Every new socket of bob's is refused; a network blip makes him reconnect into that.
      let refuse = true
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        if (refuse) void ws.close({ code: 1011, reason: 'test refuses' })
        else ws.connectToServer()
      })
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await bob.page.getByText('Live connection unavailable').waitFor({ timeout: 15_000 })

      await send(alice.page, 'polled to bob')
      await waitForMessage(bob.page, 'polled to bob')
      await send(bob.page, 'posted by bob')
      await waitForMessage(alice.page, 'posted by bob')

      // The socket comes back: bob switches to it without losing or doubling anything.
      refuse = false
      await bob.page
        .getByText('Live connection unavailable')
        .waitFor({ state: 'detached', timeout: 20_000 })
      await send(alice.page, 'live again')
      await waitForMessage(bob.page, 'live again')
      const expected = ['before', 'polled to bob', 'posted by bob', 'live again']
      expect(await messageTexts(bob.page)).toEqual(expected)
      expect(await messageTexts(alice.page)).toEqual(expected)
    },
  )

  test(
    'in long-poll mode the online list still follows who comes and goes',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'roll-call')
      const myName = async (b: Browser) => (await b.page.locator('.me-name').innerText()).trim()
      const [aliceName, bobName] = [await myName(alice), await myName(bob)]
      const onlineIn = (b: Browser, user: string) =>
        b.page.locator('.online-list li', { hasText: user })

      // Bob's sockets are refused: he falls back to long-polling.
      await bob.page.routeWebSocket(/\/chat$/, (ws) => {
        void ws.close({ code: 1011, reason: 'test refuses' })
      })
      await bob.context.setOffline(true)
      await bob.context.setOffline(false)
      await bob.page.getByText('Live connection unavailable').waitFor({ timeout: 15_000 })
      await bob.page.getByText('typing indicators are paused').waitFor()

      // Carol arrives over a socket: bob, who gets no presence frames now, sees her all the same.
      const carol = await registerUser(server.url)
      const carolSocket = await ChatClient.connect(server.wsUrl, carol.token)
      await carolSocket.join('roll-call')
      await onlineIn(bob, carol.username).waitFor({ timeout: 15_000 })
      for (const user of [aliceName, bobName]) await onlineIn(bob, user).waitFor()
      // The poller counts as online for the others too.
      for (const user of [bobName, carol.username]) await onlineIn(alice, user).waitFor()

      carolSocket.send({ type: 'leave', room: 'roll-call' })
      await onlineIn(bob, carol.username).waitFor({ state: 'detached', timeout: 15_000 })
      expect(await bob.page.locator('.online-list li').allInnerTexts()).toEqual(
        [aliceName, bobName].sort(),
      )
      carolSocket.close()
    },
  )

  test('scrolling up loads older history', { timeout: 60_000 }, async () => {
    const server = await startServer({ RATE_LIMITS: 'off' })
    const seeder = await seed(server.url, 'history', 120)
    const b = await browser()
    await registerInUi(b.page, server.url, name('reader'))
    await enterRoom(b, 'history')
    await waitForMessage(b.page, `${seeder}: message 120`)
    expect((await messageTexts(b.page)).length).toBeLessThan(120)

    const scroller = b.page.getByLabel('Messages in history')
    for (let i = 0; i < 10; i++) {
      if (await b.page.getByText('This is the start of #history.').isVisible()) break
      await scroller.hover()
      await b.page.mouse.wheel(0, -20_000)
      await b.page.waitForTimeout(250)
    }
    await b.page.getByText('This is the start of #history.').waitFor()
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
  const username = name('seed')
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
