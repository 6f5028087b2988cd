import { describe, expect, it } from 'vitest'
import { isChatError } from './errors.js'
import { checkNewPassword } from './password-policy.js'
import { isReservedName } from './reserved-names.js'

function refusal(username: string, password: string): string | undefined {
  try {
    checkNewPassword(username, password)
    return undefined
  } catch (error) {
    return isChatError(error) ? error.code : String(error)
  }
}

describe('checkNewPassword', () => {
  it.each([
    'password',
    '12345678',
    '        ',
    'P@ssw0rd',
    '1l0v3y0u',
    'qwertyuiop',
    'petra',
    'Petra2024',
  ])('refuses %s', (password) => expect(refusal('petra', password)).toBe('weak_password'))

  it.each(['plum kettle orbit', 'kx8-2QpL!z', 'petra loves green tea'])('accepts %s', (password) =>
    expect(refusal('petra', password)).toBeUndefined(),
  )

  it('judges a long random password by its first characters, and accepts it', () => {
    const long = Array.from({ length: 1024 }, (_, i) => String.fromCharCode(33 + ((i * 37) % 90)))
    expect(refusal('petra', long.join(''))).toBeUndefined()
  })
})

describe('isReservedName', () => {
  it.each([
    'moviebot',
    'MovieBot',
    'm0viebot',
    'rnoviebot',
    'movie_bot',
    'M0V1E-B0T',
    'movie.bot',
    'room',
    'Room',
    'r00m',
    'everyone',
    'here',
  ])('reserves %s', (name) => expect(isReservedName(name)).toBe(true))
  it.each(['movies', 'moviebots', 'bot', 'moviefan', 'rooms', 'roomie', 'there'])(
    'leaves %s free',
    (name) => expect(isReservedName(name)).toBe(false),
  )
})
