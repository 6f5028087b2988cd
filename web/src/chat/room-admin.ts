/**
 * The members panel's calls: who is in a room, invite, remove, change a role, set the topic, ban
 * and unban. Each answers null when done, or the reason to show; the room's own `member` and
 * `room` events then update every view (including this one).
 */
import type { MemberView, Role } from '../../../src/protocol/index.js'
import { ApiError, type Api } from '../api.js'

type AdminApi = Pick<Api, 'members' | 'addMember' | 'removeMember' | 'setRole' | 'setTopic' | 'ban'>

const REASONS: Readonly<Record<string, string>> = {
  user_not_found: 'No such user.',
  forbidden: 'You are not allowed to do that here.',
  last_owner: 'A room keeps at least one owner.',
  cannot_ban_admin: 'A server admin cannot be banned.',
  not_admin: 'Only server admins can do that.',
  room_not_found: 'That room is gone.',
}

function reason(error: unknown): string {
  if (error instanceof ApiError) return REASONS[error.code] ?? error.message
  return error instanceof Error ? error.message : 'Something went wrong.'
}

async function attempt(call: () => Promise<void>): Promise<string | null> {
  try {
    await call()
    return null
  } catch (error: unknown) {
    return reason(error)
  }
}

export class RoomAdmin {
  readonly #api: AdminApi

  constructor(api: AdminApi) {
    this.#api = api
  }

  members(room: string): Promise<MemberView[]> {
    return this.#api.members(room)
  }

  invite(room: string, username: string): Promise<string | null> {
    return attempt(() => this.#api.addMember(room, username.trim().replace(/^@/, '')))
  }

  remove(room: string, username: string): Promise<string | null> {
    return attempt(() => this.#api.removeMember(room, username))
  }

  setRole(room: string, username: string, role: Role): Promise<string | null> {
    return attempt(() => this.#api.setRole(room, username, role))
  }

  setTopic(room: string, topic: string): Promise<string | null> {
    const text = topic.trim()
    return attempt(() => this.#api.setTopic(room, text === '' ? null : text))
  }

  ban(username: string, banned: boolean): Promise<string | null> {
    return attempt(() => this.#api.ban(username, banned))
  }
}
