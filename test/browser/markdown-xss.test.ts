/**
 * Markdown against hostile messages, in real Chromium: links with javascript:, data: and vbscript:
 * targets, raw HTML, images, HTML inside markup and code. Sent live, edited in, and read back from
 * the timeline after a reload: nothing runs, no element comes from a message, every link is
 * http(s) or mailto with rel="noopener noreferrer".
 */
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { startServer } from '../support/start-server.js'
import { type Browser, send, twoUsersIn, waitForMessage } from './support.js'

const HOSTILE = [
  '[click me](javascript:alert(1))',
  '[caps](JaVaScRiPt:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb](vbscript:msgbox(1))',
  '<javascript:alert(1)>',
  '![pic](https://example.com/cat.png)',
  '![x](javascript:alert(1))',
  '**<img src=x onerror=alert(1)>**',
  '<a href="javascript:alert(1)">raw link</a>',
  '<svg onload=alert(1)></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '[titled](https://example.com/t "x\\" onmouseover=\\"alert(1)")',
  '```\n<script>alert(1)</script>\n```',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[fine](https://example.com/ok) and mail [me](mailto:me@example.com)',
]

/** What a message may have put in the DOM: elements that load or run things, and every link. */
async function audit(page: Page) {
  return page.evaluate<{ dangerous: string[]; links: string[][] }>(`(() => {
    const list = document.querySelector('.messages')
    const dangerous = [...list.querySelectorAll('img, script, iframe, svg, object, embed, [onerror], [onload], [onmouseover], [style]')]
      .map((el) => el.outerHTML)
    const links = [...list.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target'), a.textContent])
    return { dangerous, links }
  })()`)
}

async function expectSafe(b: Browser): Promise<void> {
  const { dangerous, links } = await audit(b.page)
  expect(dangerous).toEqual([])
  expect(links).toEqual([
    ['https://example.com/cat.png', 'noopener noreferrer', '_blank', 'pic'],
    ['https://example.com/t', 'noopener noreferrer', '_blank', 'titled'],
    ['https://example.com/ok', 'noopener noreferrer', '_blank', 'fine'],
    ['mailto:me@example.com', 'noopener noreferrer', '_blank', 'me'],
  ])
  // The refused targets stay visible as text, so nobody is misled about where a link pointed.
  const text = await b.page.locator('.messages').innerText()
  expect(text).toContain('[click me](javascript:alert(1))')
  expect(text).toContain('<img src=x onerror=alert(1)>')
  expect(text).toContain('<script>alert(1)</script>')
  expect(b.dialogs).toEqual([])
  // Joining the room that already existed is the one expected console error (its 409).
  expect(b.errors.filter((e) => !e.includes('409 (Conflict)'))).toEqual([])
}

describe('markdown: hostile messages', () => {
  test(
    'live, edited in and from the timeline after a reload: nothing runs, only safe links',
    { timeout: 120_000 },
    async () => {
      const server = await startServer({ RATE_LIMITS: 'off' })
      const [alice, bob] = await twoUsersIn(server.url, 'xss')
      for (const text of HOSTILE) await send(alice.page, text)
      await waitForMessage(bob.page, 'and mail')
      await send(alice.page, 'harmless for now')
      await waitForMessage(bob.page, 'harmless for now')

      // An edit brings a payload into a message already on screen.
      const harmless = alice.page.locator('.messages li.msg', { hasText: 'harmless for now' })
      await harmless.hover()
      await harmless.getByRole('button', { name: 'Edit', exact: true }).click()
      await alice.page.getByLabel('Edit message').fill('now [bad](javascript:alert(2)) <b>x</b>')
      await alice.page.getByLabel('Edit message').press('Enter')
      await waitForMessage(bob.page, 'now [bad](javascript:alert(2)) <b>x</b>')

      for (const b of [alice, bob]) await expectSafe(b)
      // The timeline (GET ?before=) renders through the same path.
      await bob.page.reload()
      await waitForMessage(bob.page, 'now [bad](javascript:alert(2))')
      await waitForMessage(bob.page, '[click me](javascript:alert(1))')
      await expectSafe(bob)
    },
  )
})
