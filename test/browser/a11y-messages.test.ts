/**
 * axe-core on messages that change (reactions, replies, edits, tombstones, mentions), a focused
 * message's actions, the emoji picker, the @ menu and the delete dialog, light and dark, at
 * desktop and phone widths: zero violations; on the phone every visible control is at least
 * 44 px both ways.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { api, registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { noneFound, scanBothSchemes, smallTargets, VIEWPORTS } from './a11y-support.js'
import { browser, send, signedInAs, waitForMessage } from './support.js'

describe('accessibility', () => {
  for (const [width, viewport] of VIEWPORTS) {
    test(
      `messages that change (reactions, replies, edits, tombstones, mentions, actions, picker, @ menu, delete dialog): no axe violations (light and dark, ${width})`,
      { timeout: 90_000 },
      async () => {
        const server = await startServer({ RATE_LIMITS: 'off' })
        const b = await browser(viewport)
        const { page } = b
        const bob = await registerUser(server.url, uniqueName('bob'))
        const ann = uniqueName('ann')
        await signedInAs(b, server.url, ann)
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
        await scanBothSchemes(page, found, 'changed messages')
        if (width === 'phone') found['changed messages tap targets'] = await smallTargets(page)

        // The actions of a focused message, and the emoji picker open.
        const question = page.locator('li.msg', {
          has: page.locator('.text', { hasText: 'a question for' }),
        })
        await question.focus()
        await question.getByRole('button', { name: 'React', exact: true }).click()
        await page.getByRole('button', { name: 'React with 👍' }).waitFor()
        await scanBothSchemes(page, found, 'actions and picker')
        if (width === 'phone') found['actions tap targets'] = await smallTargets(page)
        await page.keyboard.press('Escape')

        // Reply mode and the @ suggestions.
        await question.focus()
        await question.getByRole('button', { name: 'Reply', exact: true }).click()
        const box = page.getByLabel('Message #lobby')
        await box.pressSequentially('@bo')
        await page.getByRole('option', { name: `@${bob.username}` }).waitFor()
        await scanBothSchemes(page, found, 'reply and mention menu')
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
        await scanBothSchemes(page, found, 'delete dialog')
        expect(found).toEqual(noneFound(found))
      },
    )
  }
})
