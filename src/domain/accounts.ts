/**
 * Accounts and sessions: registration (open, or closed to all but server admins), login with
 * equal-time failures, opaque hashed session tokens, and the ways a session ends (logout, log out
 * everywhere, password change), each also closing the sockets opened with it on every node.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { STORED_NAME_CHARS } from '../protocol/names.js'
import { ChatError } from './errors.js'
import { checkNewPassword } from './password-policy.js'
import type { Clock, PasswordHasher, Store } from './ports.js'
import { LOBBY } from './rooms.js'
import type { ServerAdmins } from './admins.js'
import { isReservedName } from './reserved-names.js'
import type { SessionCache } from './session-cache.js'
import { sessionProblem } from './socket-sessions.js'
import type { UserChannel } from './user-channel.js'

export interface AuthenticatedUser {
  readonly id: string
  readonly username: string
  /** sha256 of the session token; identifies the session without keeping the token. */
  readonly sessionId: string
  readonly sessionExpiresAt: number
}

/** `closed`: only a signed-in server admin creates accounts. */
export type Registration = 'open' | 'closed'

export interface AccountsOptions {
  readonly store: Store
  readonly hasher: PasswordHasher
  readonly clock: Clock
  readonly sessionTtlMs: number
  readonly channel: UserChannel
  readonly admins: ServerAdmins
  readonly registration: Registration
  /** This node's memory of sessions (absent: every authentication reads the Store). */
  readonly sessions?: SessionCache
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
  readonly #channel: UserChannel
  readonly #admins: ServerAdmins
  readonly #registration: Registration
  readonly #sessions: SessionCache | undefined
  /** Verified against when the user is unknown, so both failures cost one hash. */
  #decoyHash: Promise<string> | undefined

  constructor(options: AccountsOptions) {
    this.#store = options.store
    this.#hasher = options.hasher
    this.#clock = options.clock
    this.#sessionTtlMs = options.sessionTtlMs
    this.#channel = options.channel
    this.#admins = options.admins
    this.#registration = options.registration
    this.#sessions = options.sessions
  }

  get registration(): Registration {
    return this.#registration
  }

  /**
   * Self-service sign-up, signed in as the new user. While registration is closed only the names
   * in ADMIN_USERS may sign up, so the first admin can exist (docs/security.md: claim it first).
   */
  async register(username: string, password: string): Promise<SignedIn> {
    if (this.#registration === 'closed' && !this.#admins.has(username)) {
      throw new ChatError('registration_closed')
    }
    const user = await this.#create(username, password)
    return { user, token: await this.#startSession(user.id, username) }
  }

  /** A server admin creates someone's account; the admin stays signed in as themself. */
  async createFor(
    actor: AuthenticatedUser,
    username: string,
    password: string,
  ): Promise<{ id: string; username: string }> {
    if (!this.#admins.has(actor.username)) throw new ChatError('registration_closed')
    return this.#create(username, password)
  }

  async #create(username: string, password: string): Promise<{ id: string; username: string }> {
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
    // A new user belongs to the lobby only: no other room joins anyone who did not choose it.
    await this.#store.addMembers(LOBBY, [{ userId: user.id, role: 'member' }])
    return { id: user.id, username }
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
    // Said only to someone who knows the password, so it reveals nothing to a guesser.
    if (user.bannedAt !== null) throw new ChatError('banned')
    return {
      user: { id: user.id, username: user.username },
      token: await this.#startSession(user.id, user.username),
    }
  }

  /** Resolves a presented token; extends the session (sliding expiry) at most once a day. */
  async authenticate(token: string): Promise<AuthenticatedUser | undefined> {
    if (token.length < 16 || token.length > 256) return undefined
    const sessionId = hashToken(token)
    const session = await (this.#sessions
      ? this.#sessions.find(sessionId)
      : this.#store.findSession(sessionId))
    const now = this.#clock.now()
    if (!session || sessionProblem(session, now)) return undefined
    const renewed = now + this.#sessionTtlMs
    let expiresAt = session.expiresAt
    if (renewed - session.expiresAt > DAY_MS) {
      await this.#store.extendSession(sessionId, renewed)
      this.#sessions?.renewed(sessionId, renewed)
      expiresAt = renewed
    }
    return {
      id: session.userId,
      username: session.username,
      sessionId,
      sessionExpiresAt: expiresAt,
    }
  }

  /** Ends this session; the sockets opened with it close on every node. */
  async logout(user: AuthenticatedUser): Promise<void> {
    await this.#store.deleteSession(user.sessionId)
    await this.#channel.endSessions(user.id, { session: user.sessionId }, 'logout')
  }

  /** Ends every session of the user, this one included, and closes all the user's sockets. */
  async logoutEverywhere(user: AuthenticatedUser): Promise<void> {
    await this.#store.deleteUserSessions(user.id)
    await this.#channel.endSessions(user.id, { all: true }, 'logout_all')
  }

  /** Needs the current password; every other session of the user ends, this one stays. */
  async changePassword(user: AuthenticatedUser, current: string, password: string): Promise<void> {
    const stored = await this.#store.findUserByName(user.username)
    if (!stored || !(await this.#hasher.verify(stored.passwordHash, current))) {
      throw new ChatError('wrong_password')
    }
    checkNewPassword(user.username, password)
    await this.#store.setPasswordHash(user.id, await this.#hasher.hash(password))
    await this.#store.deleteUserSessions(user.id, user.sessionId)
    await this.#channel.endSessions(user.id, { except: user.sessionId }, 'password_changed')
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
