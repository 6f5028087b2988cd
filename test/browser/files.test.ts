/** Files in the web client, in Debian's Chromium: alice pastes an image and bob sees it, sized before it loads; the viewer; file cards; cancelling an upload. */
import type { Page, Route } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { png } from '../support/files.js'
import { startServer } from '../support/start-server.js'
import { twoUsersIn, waitForMessage } from './support.js'

/** Pastes a file into the message box the way a browser pastes a screenshot. */
async function paste(page: Page, bytes: Buffer, name: string, type: string): Promise<void> {
  // A string, evaluated in the page: the tests are typed without the DOM library.
  await page.evaluate(`(() => {
    const bytes = Uint8Array.from(atob('${bytes.toString('base64')}'), (c) => c.charCodeAt(0))
    const data = new DataTransfer()
    data.items.add(new File([bytes], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }))
    document.querySelector('#composer-input')
      .dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }))
  })()`)
}

const FILE_URLS = '**/api/rooms/*/files/*'

describe('web client: files', () => {
  test(
    'alice pastes an image, bob sees it sized before it loads and opens it in the viewer; a document is a card with a download link',
    { timeout: 90_000 },
    async () => {
      const server = await startServer()
      const [alice, bob] = await twoUsersIn(server.url, 'pics')
      // Bob's browser gets no file bytes until the test lets them through.
      const heldImages: Route[] = []
      await bob.page.route(FILE_URLS, (route) => void heldImages.push(route))

      await paste(alice.page, png(200, 150), 'image.png', 'image/png')
      const chip = alice.page.locator('.tray-item', { hasText: 'image.png' })
      await chip.waitFor()
      const sendButton = alice.page.getByRole('button', { name: 'Send message' })
      // Enabled once the upload is done: no text is needed with a file.
      await expect.poll(() => sendButton.isEnabled()).toBe(true)
      await alice.page.getByLabel(/^Message #/).fill('look at this')
      await sendButton.click()
      await chip.waitFor({ state: 'detached' })

      await waitForMessage(bob.page, 'look at this')
      const thumb = bob.page.getByRole('button', { name: 'View image image.png' })
      const img = thumb.locator('img')
      await img.waitFor()
      const naturalWidth = () =>
        img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)
      const boxHeight = () =>
        img.evaluate(
          (el) =>
            (
              el as unknown as { getBoundingClientRect(): { height: number } }
            ).getBoundingClientRect().height,
        )
      // The bytes are held back: the box is measured before any arrive, then after they load.
      expect(await naturalWidth()).toBe(0)
      expect(await img.getAttribute('width')).toBe('200')
      expect(await img.getAttribute('height')).toBe('150')
      expect(await boxHeight()).toBe(150)
      for (const route of heldImages.splice(0)) await route.continue()
      await bob.page.unroute(FILE_URLS)
      await expect.poll(naturalWidth).toBe(200)
      expect(await boxHeight()).toBe(150)

      await thumb.click()
      const viewer = bob.page.getByRole('dialog', { name: 'image.png' })
      await viewer.waitFor()
      expect(await viewer.getByRole('link', { name: 'Download' }).getAttribute('download')).toBe(
        'image.png',
      )
      await bob.page.keyboard.press('Escape')
      await viewer.waitFor({ state: 'detached' })
      expect(
        await thumb.evaluate((el) => {
          const node = el as unknown as { ownerDocument: { activeElement: unknown } }
          return node === node.ownerDocument.activeElement
        }),
      ).toBe(true)

      // A document through the attach button: a card with its name, size and a download link.
      const chooser = alice.page.waitForEvent('filechooser')
      await alice.page.getByRole('button', { name: 'Attach files' }).click()
      await (
        await chooser
      ).setFiles({
        name: 'plan.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n% the plan\n'),
      })
      await expect
        .poll(() => alice.page.getByRole('button', { name: 'Send message' }).isEnabled())
        .toBe(true)
      await alice.page.getByRole('button', { name: 'Send message' }).click()
      const card = bob.page.locator('.file-card', { hasText: 'plan.pdf' })
      await card.waitFor()
      expect(await card.innerText()).toContain('20 B')
      const link = card.getByRole('link', { name: 'Download plan.pdf' })
      const href = await link.getAttribute('href')
      expect(href).toMatch(/^\/api\/rooms\/pics\/files\/[0-9a-f-]{36}$/)
      const answer = await bob.page.request.get(server.url + href!)
      expect(answer.status()).toBe(200)
      expect(answer.headers()['content-disposition']).toMatch(/^attachment; /)

      for (const b of [alice, bob]) {
        expect(b.dialogs).toEqual([])
        expect(b.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
      }
    },
  )

  test(
    'an upload shows its progress and can be cancelled; nothing is sent',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const [alice] = await twoUsersIn(server.url, 'slow')
      // The upload's answer is held back until the test lets it go, so it is still running.
      let held: Route | undefined
      await alice.page.route('**/api/rooms/slow/files', (route) => {
        held = route
      })
      await paste(alice.page, png(50, 50), 'big.png', 'image/png')
      const chip = alice.page.locator('.tray-item', { hasText: 'big.png' })
      await chip.getByRole('progressbar', { name: 'Uploading big.png' }).waitFor()
      expect(await alice.page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true)
      await chip.getByRole('button', { name: 'Cancel upload of big.png' }).click()
      await chip.waitFor({ state: 'detached' })
      await expect.poll(() => held !== undefined).toBe(true)
      await held?.abort().catch(() => undefined)
      expect(await alice.page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true)
      expect(await alice.page.locator('.messages .attachments').count()).toBe(0)
    },
  )
})
