/** Accounts and sessions: registration, login with equal-time failures, opaque hashed session tokens. */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { STORED_NAME_CHARS } from '../protocol/names.js'
import { ChatError } from './errors.js'
import { checkNewPassword } from './password-policy.js'
import type { Clock, PasswordHasher, Store } from './ports.js'
import { isReservedName } from './reserved-names.js'

export interface AuthenticatedUser {
  readonly id: string
  readonly username: string
  /** sha256 of the session token; identifies the session without keeping the token. */
  readonly sessionId: string
}

export interface AccountsOptions {
  readonly store: Store
  readonly hasher: PasswordHasher
  readonly clock: Clock
  readonly sessionTtlMs: number
}

export interface SignedIn {
  readonly user: { id: string; username: string }
  readonly token: string
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/**
 * The CSRF token is derived from the session token, so it needs no storage and a cross-site
 * page (which cannot read the HttpOnly session cookie) cannot compute it.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`csrf:${sessionId}`).digest('base64url')
}

export class Accounts {
  readonly #store: Store
  readonly #hasher: PasswordHasher
  readonly #clock: Clock
  readonly #sessionTtlMs: number
  /** Verified against when the user is unknown, so both failures cost one hash. */
  #decoyHash: Promise<string> | undefined

  constructor(options: AccountsOptions) {
    this.#store = options.store
    this.#hasher = options.hasher
    this.#clock = options.clock
    this.#sessionTtlMs = options.sessionTtlMs
  }

  async register(username: string, password: string): Promise<SignedIn> {
    if (isReservedName(username)) throw new ChatError('username_reserved')
    checkNewPassword(username, password)
    const existing = await this.#store.findUserByName(username)
    if (existing) throw new ChatError('username_taken')
    const user = {
      id: randomUUID(),
      username,
      passwordHash: await this.#hasher.hash(password),
      createdAt: this.#clock.now(),
    }
    await this.#store.createUser(user)
    return { user: { id: user.id, username }, token: await this.#startSession(user.id, username) }
  }

  async login(username: string, password: string): Promise<SignedIn> {
    // A name no account can have (U+0000, spaces, 300 characters) is not looked up: it is an
    // unknown user, answered like any other, and never an engine error.
    const user = STORED_NAME_CHARS.test(username)
      ? await this.#store.findUserByName(username)
      : undefined
    if (!user) {
      this.#decoyHash ??= this.#hasher.hash(randomBytes(16).toString('hex'))
      await this.#hasher.verify(await this.#decoyHash, password)
      throw new ChatError('invalid_credentials')
    }
    if (!(await this.#hasher.verify(user.passwordHash, password))) {
      throw new ChatError('invalid_credentials')
    }
    return {
      user: { id: user.id, username: user.username },
      token: await this.#startSession(user.id, user.username),
    }
  }

  /** Resolves a presented token; extends the session (sliding expiry) at most once a day. */
  async authenticate(token: string): Promise<AuthenticatedUser | undefined> {
    if (token.length < 16 || token.length > 256) return undefined
    const sessionId = hashToken(token)
    const session = await this.#store.findSession(sessionId)
    const now = this.#clock.now()
    if (!session || session.expiresAt <= now) return undefined
    const renewed = now + this.#sessionTtlMs
    if (renewed - session.expiresAt > DAY_MS) await this.#store.extendSession(sessionId, renewed)
    return { id: session.userId, username: session.username, sessionId }
  }

  async logout(sessionId: string): Promise<void> {
    await this.#store.deleteSession(sessionId)
  }

  async #startSession(userId: string, username: string): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    const now = this.#clock.now()
    await this.#store.createSession({
      tokenHash: hashToken(token),
      userId,
      username,
      createdAt: now,
      expiresAt: now + this.#sessionTtlMs,
    })
    return token
  }
}

const DAY_MS = 24 * 60 * 60 * 1000
