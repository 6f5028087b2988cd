/** The web client copies the server's name and password rules; this fails if they drift. */
import { describe, expect, test } from 'vitest'
import {
  NAME_PATTERN as SERVER_NAME_PATTERN,
  Password,
  Username,
} from '../../src/protocol/index.js'
import {
  NAME_PATTERN,
  PASSWORD_MAX_CHARS,
  PASSWORD_MIN_CHARS,
  passwordProblem,
  usernameProblem,
} from '../../web/src/validation.js'

describe('client-side validation matches the protocol', () => {
  test('same name pattern', () => {
    expect(NAME_PATTERN.source).toBe(SERVER_NAME_PATTERN.source)
  })

  test('usernames: the client accepts exactly what the server accepts', () => {
    const samples = [
      'a',
      'alice_1',
      'a.b-c',
      'x'.repeat(32),
      'x'.repeat(33),
      '',
      'no spaces',
      'é',
      'a/b',
      '.',
      '..',
      '-',
      '_',
      '._-',
      '_a',
    ]
    for (const name of samples) {
      expect(usernameProblem(name) === null, name).toBe(Username.safeParse(name).success)
    }
  })

  test('passwords: same length limits', () => {
    for (const length of [
      0,
      PASSWORD_MIN_CHARS - 1,
      PASSWORD_MIN_CHARS,
      PASSWORD_MAX_CHARS,
      PASSWORD_MAX_CHARS + 1,
    ]) {
      const password = 'p'.repeat(length)
      expect(passwordProblem(password) === null, String(length)).toBe(
        Password.safeParse(password).success,
      )
    }
  })
})
