/**
 * axe-core on the login, register and chat pages (online, and offline with a message not sent),
 * light and dark, at desktop and phone widths: zero violations; on the phone every visible
 * control is at least 44 px both ways.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { api, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, registerInUi, send, waitForMessage } from './support.js'

const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname,
  'utf8',
)
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 375, height: 740 }

/** Each violation as "rule: selector, selector". */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: the page's CSP (script-src 'self') would block it.
  await page.evaluate(AXE_SOURCE)
  return page.evaluate<string[]>(
    `axe.run(document).then((r) => r.violations.map((v) =>
      v.id + ': ' + v.nodes.map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | ')))`,
  )
}

/** Visible buttons, links and fields smaller than 44 px on a side. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(
    `[...document.querySelectorAll('button, a[href]:not(p a), input, textarea, select')]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => [el, el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
      .map(([el, r]) => (el.getAttribute('aria-label') || el.textContent.trim() || el.tagName) +
        ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`,
  )
}

describe('accessibility', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      test(
        `login, register and chat: no axe violations (${colorScheme}, ${width})`,
        {
          timeout: 90_000,
        },
        async () => {
          const server = await startServer()
          const b = await browser(viewport)
          const { page } = b
          await page.emulateMedia({ colorScheme })
          const found: Record<string, string[]> = {}

          await page.goto(`${server.url}/login`)
          await page.getByRole('button', { name: 'Sign in' }).waitFor()
          found['login'] = await axeViolations(page)
          await page.goto(`${server.url}/register`)
          await page.getByRole('button', { name: 'Create account' }).waitFor()
          found['register'] = await axeViolations(page)

          const bob = await registerUser(server.url, uniqueName('bob'))
          await registerInUi(page, server.url, uniqueName('ann'))
          await api(server.url, '/api/rooms/lobby/messages', {
            body: { text: 'hello from bob', cid: randomUUID() },
            token: bob.token,
          })
          await waitForMessage(page, 'hello from bob')
          await send(page, 'hi bob, https://example.com')
          await waitForMessage(page, 'hi bob')
          found['chat'] = await axeViolations(page)
          // The members panel (the lobby's: its members and the invite form).
          await page.getByRole('button', { name: 'Members' }).click()
          await page.getByRole('list', { name: 'Members' }).waitFor()
          found['members panel'] = await axeViolations(page)
          if (width === 'phone') found['members panel tap targets'] = await smallTargets(page)
          await page.keyboard.press('Escape')
          await page.getByRole('list', { name: 'Members' }).waitFor({ state: 'detached' })
          // Cut off: the offline banner with its countdown, a "Not sent" message, the online list unknown.
          await b.context.setOffline(true)
          await send(page, 'written offline')
          await page.getByText(/^Not sent/).waitFor({ timeout: 20_000 })
          found['offline'] = await axeViolations(page)
          if (width === 'phone') found['offline tap targets'] = await smallTargets(page)
          await b.context.setOffline(false)
          await waitForMessage(page, 'written offline', 20_000)
          if (width === 'phone') {
            found['chat tap targets'] = await smallTargets(page)
            await page.getByRole('button', { name: 'Show rooms' }).click()
            await page.getByRole('button', { name: 'Log out' }).waitFor()
            found['drawer'] = await axeViolations(page)
            found['drawer tap targets'] = await smallTargets(page)
          }
          expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])))
        },
      )
    }
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      test(
        `messages that change (reactions, replies, edits, tombstones, mentions, actions, picker, @ menu, delete dialog): no axe violations (${colorScheme}, ${width})`,
        { timeout: 90_000 },
        async () => {
          const server = await startServer({ RATE_LIMITS: 'off' })
          const b = await browser(viewport)
          const { page } = b
          await page.emulateMedia({ colorScheme })
          const bob = await registerUser(server.url, uniqueName('bob'))
          const ann = uniqueName('ann')
          await registerInUi(page, server.url, ann)
          const as = { token: bob.token }
          const post = async (text: string, replyTo?: number) => {
            const body = { text, cid: randomUUID(), ...(replyTo ? { replyTo } : {}) }
            const answer = await api(server.url, '/api/rooms/lobby/messages', { body, ...as })
            return (answer.body as { message: { seq: number } }).message.seq
          }
          const asked = await post(`a **question** for @${ann}, see \`code\``)
          await api(server.url, `/api/rooms/lobby/messages/${asked}/reactions`, {
            body: { emoji: '🎉', op: 'add', cid: randomUUID() },
            ...as,
          })
          await post('> quoted\n- one\n- two', asked)
          const typo = await post('a tpyo')
          await api(server.url, `/api/rooms/lobby/messages/${typo}`, {
            method: 'PATCH',
            body: { text: 'a typo, fixed', cid: randomUUID() },
            ...as,
          })
          const gone = await post('regrets')
          await api(server.url, `/api/rooms/lobby/messages/${gone}`, { method: 'DELETE', ...as })
          await page.locator('li.msg.deleted').waitFor()
          await waitForMessage(page, 'a typo, fixed')
          await page.locator('.reaction').waitFor()
          const found: Record<string, string[]> = {}
          found['changed messages'] = await axeViolations(page)
          if (width === 'phone') found['changed messages tap targets'] = await smallTargets(page)

          // The actions of a focused message, and the emoji picker open.
          const question = page.locator('li.msg', {
            has: page.locator('.text', { hasText: 'a question for' }),
          })
          await question.focus()
          await question.getByRole('button', { name: 'React', exact: true }).click()
          await page.getByRole('button', { name: 'React with 👍' }).waitFor()
          found['actions and picker'] = await axeViolations(page)
          if (width === 'phone') found['actions tap targets'] = await smallTargets(page)
          await page.keyboard.press('Escape')

          // Reply mode and the @ suggestions.
          await question.focus()
          await question.getByRole('button', { name: 'Reply', exact: true }).click()
          const box = page.getByLabel('Message #lobby')
          await box.pressSequentially('@bo')
          await page.getByRole('option', { name: `@${bob.username}` }).waitFor()
          found['reply and mention menu'] = await axeViolations(page)
          await box.press('Escape')
          await box.press('Escape')
          await box.fill('')

          // The delete dialog over my own message.
          await send(page, 'mine to delete')
          await waitForMessage(page, 'mine to delete')
          const mine = page.locator('li.msg:not(.pending)', { hasText: 'mine to delete' })
          await mine.focus()
          await mine.getByRole('button', { name: 'Delete', exact: true }).click()
          await page.getByRole('dialog', { name: 'Delete this message?' }).waitFor()
          found['delete dialog'] = await axeViolations(page)
          expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])))
        },
      )
    }
  }
})
