/**
 * The password policy for new passwords: long enough, not the username, not only whitespace, and
 * not guessable from a maintained common-password dictionary (zxcvbn-ts, NIST SP 800-63B 5.1.1.2).
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common'
import { ChatError } from './errors.js'

export const PASSWORD_MIN_CHARS = 8
/**
 * zxcvbn score 2 means at least 10^6 guesses: out of reach of a throttled online attack, and
 * every dictionary password ("password", "12345678", "iloveyou") and keyboard walk scores below.
 */
const MIN_SCORE = 2

// The dictionaries take ~150 ms to index, so they are indexed once, on the first registration,
// and shared by every server in the process (they are never written to after that).
let estimator: ZxcvbnFactory | undefined
function strength(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary,
    graphs: adjacencyGraphs,
    // The check runs on the event loop and its l33t matcher is combinatorial: with the defaults
    // (256 characters, 100 substitutions) one random 256-character password took 4.5 s here.
    // The first 64 characters and 4 substitutions still catch "P@ssw0rd" and "1l0v3y0u".
    maxLength: 64,
    l33tMaxSubstitutions: 4,
  })
  return estimator
}

/** Throws ChatError('weak_password') naming what is wrong; length limits are the edge's too. */
export function checkNewPassword(username: string, password: string): void {
  if ([...password].length < PASSWORD_MIN_CHARS) {
    throw new ChatError('weak_password', `Use at least ${PASSWORD_MIN_CHARS} characters.`)
  }
  if (password.trim() === '') {
    throw new ChatError('weak_password', 'A password cannot be only spaces.')
  }
  const name = username.toLowerCase()
  const lower = password.toLowerCase()
  // "alice", "alice123", "123alice!": what is left besides the name must be a password on its own.
  if (lower.includes(name) && [...lower.replace(name, '')].length < PASSWORD_MIN_CHARS) {
    throw new ChatError('weak_password', 'Your password must not be or contain your username.')
  }
  if (strength().check(password, [username]).score < MIN_SCORE) {
    throw new ChatError(
      'weak_password',
      'That password is too common or easy to guess; try a few unrelated words.',
    )
  }
}
