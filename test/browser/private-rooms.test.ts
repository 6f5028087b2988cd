/**
 * Rooms as the server keeps them, in real Chromium: a private room appears live for the person
 * invited and disappears live when they are removed; unread badges clear on a second device when
 * read on the first; a DM started by username is named by the other person on both sides.
 * One server for the file (each test has its own users and rooms).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { api, registerUser, type TestUser } from '../support/clients.js'
import { startServer, type TestServer } from '../support/start-server.js'
import {
  browser,
  type Browser,
  loggedInAs,
  messageTexts,
  myName,
  PASSWORD,
  send,
  signedInAs,
  uniqueName,
  waitForMessage,
} from './support.js'

let server: TestServer
/** A server admin (ADMIN_USERS): ban and unban show in the members panel for them only. */
const ADMIN = uniqueName('boss')

beforeAll(async () => {
  server = await startServer({ RATE_LIMITS: 'off', ADMIN_USERS: ADMIN }, { teardown: false })
})
afterAll(async () => {
  await server.close()
})

const joined = (page: Page) => page.getByRole('list', { name: 'Joined rooms' })
const dms = (page: Page) => page.getByRole('list', { name: 'Direct messages' })

/** Through the sign-in form (the ban test's last step); otherwise loggedInAs skips the form. */
async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel(/^Message #/).waitFor()
}

async function signedUp(prefix: string): Promise<[Browser, string]> {
  const b = await browser()
  await signedInAs(b, server.url, uniqueName(prefix))
  return [b, await myName(b)]
}

describe('web client: private rooms, DMs and unread state that follows the user', () => {
  test(
    'alice creates a private room and invites bob: it appears live for him, they chat, removed he loses it',
    { timeout: 90_000 },
    async () => {
      const [[alice], [bob, bobName]] = await Promise.all([signedUp('alice'), signedUp('bob')])
      const room = uniqueName('secret').toLowerCase().slice(0, 20)

      await alice.page.getByLabel('New room').fill(room)
      await alice.page.getByLabel('Private (invite only)').check()
      await alice.page.getByRole('button', { name: 'Create', exact: true }).click()
      await alice.page.getByRole('heading', { name: `# ${room}` }).waitFor()
      await joined(alice.page)
        .getByRole('button', { name: `Private: ${room}` })
        .waitFor()
      // Bob does not see it among the rooms to join either.
      expect(await bob.page.getByRole('button', { name: `Join ${room}` }).count()).toBe(0)

      // Invite from the members panel: focus goes into it, Escape closes it back to its button.
      await alice.page.getByRole('button', { name: 'Members' }).click()
      const panel = alice.page.getByRole('complementary', { name: `Members of #${room}` })
      await panel.getByRole('button', { name: 'Close' }).waitFor()
      await expect
        .poll(() => alice.page.evaluate<string | undefined>('document.activeElement?.textContent'))
        .toBe('Close')
      await panel.getByLabel('Add someone').fill(bobName)
      await panel.getByRole('button', { name: 'Invite' }).click()
      await panel.getByText(`${bobName} was added.`).waitFor()
      await panel.getByRole('listitem').filter({ hasText: bobName }).waitFor()

      // Live on bob's side (no reload): the room shows with its lock, and opens.
      const bobEntry = joined(bob.page).getByRole('button', { name: new RegExp(room) })
      await bobEntry.waitFor()
      expect(await bobEntry.getAttribute('aria-label')).toBeNull()
      expect(await bobEntry.innerText()).toContain(room)
      await bobEntry.click()
      await bob.page.getByRole('heading', { name: `# ${room}` }).waitFor()
      await send(bob.page, 'thanks for the invite')
      await waitForMessage(alice.page, 'thanks for the invite')
      await send(alice.page, 'welcome, bob')
      await waitForMessage(bob.page, 'welcome, bob')
      expect(await messageTexts(bob.page)).toEqual(['thanks for the invite', 'welcome, bob'])

      // A topic set in the panel shows in bob's header, live.
      await panel.getByLabel('Topic').fill('Plans for Friday')
      await panel.getByRole('button', { name: 'Set topic' }).click()
      await bob.page.locator('.room-header .topic', { hasText: 'Plans for Friday' }).waitFor()
      // Bob is a member: no ban, no remove, no role select for him.
      expect(await panel.getByRole('button', { name: /^Ban/ }).count()).toBe(0)

      // Alice removes bob: his view loses the room at once, says so, and lands in the lobby.
      await panel.getByRole('button', { name: `Remove ${bobName}` }).click()
      await panel.getByRole('listitem').filter({ hasText: bobName }).waitFor({ state: 'detached' })
      await bobEntry.waitFor({ state: 'detached' })
      await bob.page.getByRole('heading', { name: '# lobby' }).waitFor()
      await bob.page.getByText(new RegExp(`(removed from|no longer in) #${room}`)).waitFor()
      await alice.page.keyboard.press('Escape')
      await panel.waitFor({ state: 'detached' })
      await expect
        .poll(() => alice.page.evaluate<string | undefined>('document.activeElement?.textContent'))
        .toBe('Members')
      expect(bob.errors).toEqual([])
    },
  )

  test(
    "unread badges clear on bob's second device when he reads on the first",
    { timeout: 90_000 },
    async () => {
      const [alice, bob] = await Promise.all([
        registerUser(server.url, uniqueName('alice')),
        registerUser(server.url, uniqueName('bob')),
      ])
      const room = uniqueName('news').toLowerCase().slice(0, 20)
      const [phone, laptop] = await Promise.all([browser(), browser()])
      await Promise.all([loggedInAs(phone, server.url, bob), loggedInAs(laptop, server.url, bob)])

      // Alice makes a room; bob joins it elsewhere: both his devices list it, live.
      await api(server.url, '/api/rooms', { body: { name: room }, token: alice.token })
      const joinedAs = await api(server.url, `/api/rooms/${room}/members`, {
        body: { username: bob.username },
        token: bob.token,
      })
      expect(joinedAs.status).toBe(201)
      const entry = (page: Page) => joined(page).getByRole('button', { name: new RegExp(room) })
      await entry(phone.page).waitFor()
      await entry(laptop.page).waitFor()

      for (const text of ['first news', 'second news']) {
        const body = { text, cid: uniqueName('c') }
        const posted = await api(server.url, `/api/rooms/${room}/messages`, {
          body,
          token: alice.token,
        })
        expect(posted.status).toBe(201)
      }
      for (const page of [phone.page, laptop.page]) {
        await entry(page).getByLabel('2 unread').waitFor()
        await expect.poll(() => page.title()).toBe('(2) Eddy')
      }

      // Read on the phone: the laptop's badge and title clear without a reload.
      await entry(phone.page).click()
      await waitForMessage(phone.page, 'second news')
      await entry(laptop.page).getByLabel('2 unread').waitFor({ state: 'detached' })
      await expect.poll(() => laptop.page.title()).toBe('Eddy')
      expect(await laptop.page.getByRole('heading', { name: '# lobby' }).count()).toBe(1)
    },
  )

  test(
    'a server admin bans from the members panel (asked twice): the account is signed out; unbanned, it signs in',
    { timeout: 90_000 },
    async () => {
      const bob = await registerUser(server.url, uniqueName('bob'))
      const [admin, victim] = await Promise.all([browser(), browser()])
      await Promise.all([signedInAs(admin, server.url, ADMIN), loggedInAs(victim, server.url, bob)])
      await admin.page.getByRole('button', { name: 'Members' }).click()
      const panel = admin.page.getByRole('complementary', { name: 'Members of #lobby' })
      const row = panel.getByRole('listitem').filter({ hasText: bob.username })
      await row.getByRole('button', { name: `Ban ${bob.username}`, exact: true }).click()
      await row.getByRole('button', { name: `Confirm ban of ${bob.username}` }).click()
      await panel.getByText(`${bob.username} is banned.`).waitFor()
      await victim.page.getByRole('button', { name: 'Sign in' }).waitFor()
      // The admin's own row offers no ban.
      const mine = panel.getByRole('listitem').filter({ hasText: ADMIN })
      expect(await mine.getByRole('button', { name: /^Ban/ }).count()).toBe(0)

      await row.getByRole('button', { name: `Unban ${bob.username}` }).click()
      await panel.getByText(`${bob.username} may sign in again.`).waitFor()
      await signIn(victim.page, bob)
    },
  )

  test(
    'a DM started by username is named by the other person on both sides',
    { timeout: 90_000 },
    async () => {
      const [[alice, aliceName], [bob, bobName]] = await Promise.all([
        signedUp('alice'),
        signedUp('bob'),
      ])
      // Suggestions come from the people in my rooms (everyone is in the lobby).
      const box = alice.page.getByRole('combobox', { name: 'Direct message' })
      await box.focus()
      await box.fill(bobName.slice(0, 4))
      await alice.page
        .locator(`#dm-people option[value="${bobName}"]`)
        .waitFor({ state: 'attached' })
      await box.fill(bobName)
      await alice.page.getByRole('button', { name: 'Open', exact: true }).click()
      await alice.page.getByRole('heading', { name: `@ ${bobName}` }).waitFor()
      await dms(alice.page).getByRole('button', { name: bobName }).waitFor()
      await send(alice.page, 'psst, just you and me')

      const bobEntry = dms(bob.page).getByRole('button', { name: new RegExp(aliceName) })
      await bobEntry.waitFor()
      await bobEntry.click()
      await bob.page.getByRole('heading', { name: `@ ${aliceName}` }).waitFor()
      await waitForMessage(bob.page, 'psst, just you and me')
      // A DM has no Leave, and a name that is nobody's is refused at the box.
      expect(await bob.page.getByRole('button', { name: /^Leave/ }).count()).toBe(0)
      await box.fill('nobody_by_that_name')
      await alice.page.getByRole('button', { name: 'Open', exact: true }).click()
      await alice.page.getByText('No such user.').waitFor()
    },
  )
})
