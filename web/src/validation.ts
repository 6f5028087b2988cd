/**
 * The server's name and password rules, for inline form validation. These mirror
 * src/protocol/names.ts; they are copied rather than imported because importing that module pulls
 * zod (~24 kB gz) into the bundle. test/browser/validation.test.ts fails if the copies drift.
 */
export const NAME_PATTERN = /^(?=[^]*[A-Za-z0-9])[A-Za-z0-9_.-]{1,32}$/
export const PASSWORD_MIN_CHARS = 8
export const PASSWORD_MAX_CHARS = 1024

export function usernameProblem(username: string): string | null {
  if (username.length === 0) return 'Choose a username.'
  if (username.length > 32) return 'Usernames are at most 32 characters.'
  if (!/^[A-Za-z0-9_.-]*$/.test(username)) return 'Use only letters, digits, "_", "-" or ".".'
  if (!NAME_PATTERN.test(username)) return 'Include at least one letter or digit.'
  return null
}

export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_CHARS)
    return `Passwords need at least ${PASSWORD_MIN_CHARS} characters.`
  if (password.length > PASSWORD_MAX_CHARS)
    return `Passwords are at most ${PASSWORD_MAX_CHARS} characters.`
  return null
}

export function roomNameProblem(name: string): string | null {
  if (name.length === 0) return 'Name the room.'
  if (!NAME_PATTERN.test(name))
    return 'Room names are 1-32 letters, digits, "_", "-" or ".", with a letter or digit.'
  return null
}
