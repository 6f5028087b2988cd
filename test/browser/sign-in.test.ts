/** Signing up and in through the web client, in Debian's Chromium: inline validation, server refusals, throttling. */
import { describe, test } from 'vitest'
import { startServer } from '../support/start-server.js'
import { browser, PASSWORD, registerInUi, uniqueName } from './support.js'

describe('web client: signing in', () => {
  test(
    'sign-in forms validate inline and explain server refusals',
    { timeout: 60_000 },
    async () => {
      const server = await startServer()
      const b = await browser()
      const taken = uniqueName('taken')
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
    await b.page.getByLabel('Username').fill(uniqueName('nobody'))
    await b.page.getByLabel('Password').fill('wrong password')
    const signIn = b.page.getByRole('button', { name: 'Sign in' })
    for (let i = 0; i < 4; i++) {
      await signIn.click()
      await b.page.getByRole('alert').waitFor()
      if (await b.page.getByText('Too many attempts').isVisible()) break
    }
    await b.page.getByText(/Too many attempts\. Please try again in/).waitFor()
  })
})
