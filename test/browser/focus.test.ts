/** Field-level errors and focus in Chromium against the real server: a taken username. */
import { describe, expect, test } from 'vitest'
import { registerUser, uniqueName } from '../support/clients.js'
import { startServer } from '../support/start-server.js'
import { browser, PASSWORD } from './support.js'

describe('focus and field errors', () => {
  test(
    'a taken username is an error at the field: invalid, focused, cleared when the name changes',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const taken = await registerUser(server.url, uniqueName('taken'))
      const b = await browser()
      const { page } = b
      await page.goto(`${server.url}/register`)
      const name = page.getByLabel('Username')
      await name.fill(taken.username)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()

      await page.locator('#username-error', { hasText: 'That username is taken' }).waitFor()
      expect(await name.getAttribute('aria-invalid')).toBe('true')
      expect(await name.getAttribute('aria-describedby')).toBe('username-error')
      await page.locator('#username:focus').waitFor()
      expect(await page.locator('.form-error').count()).toBe(0)

      await name.press('End')
      await name.pressSequentially('x')
      expect(await name.getAttribute('aria-invalid')).toBe('false')
      expect(await page.getByText('That username is taken').count()).toBe(0)
    },
  )
})
