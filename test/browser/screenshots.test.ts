/**
 * The screenshots in docs/ (README.md, docs/web-client.md): a small team's conversation at
 * 1280×800 and 375×740, light and dark, the phone's room drawer, the offline state, and the
 * sign-in pages. They are written to docs/ only with SCREENSHOTS=1 (support.ts), so a plain test
 * run leaves the tree clean; the test still drives every state it pictures.
 */
import { randomUUID } from 'node:crypto'
import { describe, test } from 'vitest'
import { SEND_TIMEOUT_MS } from '../../web/src/chat/outbox-sender.js'
import { ChatClient, registerUser, type TestUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, enterRoom, send, SHOTS_DIR, signedInAs, waitForMessage } from './support.js'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 375, height: 740 }

describe('screenshots', () => {
  test(
    'chat, offline and sign-in pages, light and dark, desktop and phone',
    { timeout: 120_000 },
    async () => {
      const server = await startServer()
      const [omar, lena] = [
        await registerUser(server.url, 'omar'),
        await registerUser(server.url, 'lena'),
      ]
      const maya = await browser(DESKTOP)
      const { page } = maya
      // The page's clock runs as usual, but the test can skip ahead to the "Not sent" deadline.
      await maya.context.clock.install()
      await signedInAs(maya, server.url, 'maya')
      for (const room of ['releases', 'random', 'design']) await enterRoom(maya, room)

      // Omar and Lena are connected, so they show as online in #design.
      const sockets = new Map<TestUser, ChatClient>()
      for (const user of [omar, lena]) {
        const socket = await ChatClient.connect(server.wsUrl, user.token)
        await socket.join('design')
        await socket.join('lobby')
        sockets.set(user, socket)
      }
      const say = async (user: TestUser, text: string, room = 'design') => {
        sockets.get(user)?.send({ type: 'send', room, text, cid: randomUUID() })
        if (room === 'design') await waitForMessage(page, text)
      }
      await say(omar, 'Morning! The new onboarding flow is on staging.')
      await say(lena, 'Walked through it on my phone. Step 2 says "recieve".')
      await send(page, 'Good catch, fixing it now.')
      await waitForMessage(page, 'Good catch')
      await say(omar, 'Also: the Skip button is hard to see in dark mode.')
      await say(lena, 'شكرًا! النسخة العربية تبدو رائعة الآن.')
      await send(page, 'On it. Both fixes go out with today’s build.')
      await page.locator('.delivery.sent').waitFor()
      await say(lena, 'Lunch at 12:30?', 'lobby')
      await page.getByRole('button', { name: /lobby/ }).getByLabel('1 unread').waitFor()
      await page.getByLabel('Message #design').blur()

      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        const suffix = colorScheme === 'dark' ? '-dark' : ''
        await page.setViewportSize(DESKTOP)
        await page.screenshot({
          path: `${SHOTS_DIR}screenshot-chat${suffix}.png`,
          animations: 'disabled',
        })
        await page.setViewportSize(PHONE)
        await page.getByRole('button', { name: 'Show rooms' }).waitFor()
        await page.screenshot({
          path: `${SHOTS_DIR}screenshot-chat-phone${suffix}.png`,
          animations: 'disabled',
        })
      }
      await page.emulateMedia({ colorScheme: 'light' })
      await page.getByRole('button', { name: 'Show rooms' }).click()
      await page.getByRole('button', { name: 'Log out' }).waitFor()
      await page.screenshot({
        path: `${SHOTS_DIR}screenshot-rooms-phone.png`,
        animations: 'disabled',
      })
      await page.keyboard.press('Escape')
      await page.locator('.chat.rooms-open').waitFor({ state: 'detached' })

      await page.setViewportSize(DESKTOP)
      await maya.context.setOffline(true)
      await send(page, 'Release notes draft is in the doc.')
      await page.clock.fastForward(SEND_TIMEOUT_MS)
      await page.getByText(/^Not sent: no connection/).waitFor()
      await page
        .locator('.banner-reconnecting')
        .getByText(/Reconnecting in \d+ s…/)
        .waitFor()
      await page.screenshot({ path: `${SHOTS_DIR}screenshot-offline.png`, animations: 'disabled' })
      await maya.context.setOffline(false)
      await waitForMessage(page, 'Release notes draft', 20_000)

      const visitor = await browser(DESKTOP)
      await visitor.page.goto(`${server.url}/login`)
      await visitor.page.getByRole('heading', { name: 'Welcome back' }).waitFor()
      await visitor.page.screenshot({
        path: `${SHOTS_DIR}screenshot-login.png`,
        animations: 'disabled',
      })
      await visitor.page.getByRole('link', { name: 'Create an account' }).click()
      await visitor.page.getByLabel('Username').fill('no spaces!')
      await visitor.page.getByLabel('Password').fill('short')
      await visitor.page.getByRole('button', { name: 'Create account' }).click()
      await visitor.page.getByText('Passwords need at least 8 characters.').waitFor()
      await visitor.page.screenshot({
        path: `${SHOTS_DIR}screenshot-register.png`,
        animations: 'disabled',
      })
      await visitor.page.setViewportSize(PHONE)
      await visitor.page.emulateMedia({ colorScheme: 'dark' })
      await visitor.page.goto(`${server.url}/login`)
      await visitor.page.getByRole('heading', { name: 'Welcome back' }).waitFor()
      await visitor.page.screenshot({
        path: `${SHOTS_DIR}screenshot-login-phone-dark.png`,
        animations: 'disabled',
      })
      for (const socket of sockets.values()) socket.close()
    },
  )
})
