/**
 * What a membership or settings change does, engine-free: both SQL stores and the memory store
 * read the current row, ask `plan` what to write, and store the row change with its event.
 */
import type { ChangeInput } from '../domain/ports.js'
import type { Role, RoomLogEvent } from '../protocol/frames.js'

export type MemberWrite =
  | { readonly kind: 'insert'; readonly role: Role }
  | { readonly kind: 'delete' }
  | { readonly kind: 'update'; readonly role: Role }
  | { readonly kind: 'topic'; readonly topic: string | null }

/** The write the change needs given the subject's current role (undefined: not a member), or none. */
export function plan(input: ChangeInput, current: Role | undefined): MemberWrite | undefined {
  const change = input.change
  if (change.type === 'room') return { kind: 'topic', topic: change.topic }
  switch (change.op) {
    case 'join':
    case 'invite':
      return current === undefined ? { kind: 'insert', role: change.role ?? 'member' } : undefined
    case 'leave':
    case 'remove':
      return current === undefined ? undefined : { kind: 'delete' }
    case 'role':
      return current === undefined || change.role === undefined || change.role === current
        ? undefined
        : { kind: 'update', role: change.role }
  }
}

/** The log event a change stores at `seq`. */
export function changeEvent(
  input: ChangeInput,
  seq: number,
): Exclude<RoomLogEvent, { type: 'message' }> {
  const base = { room: input.room, seq, user: input.username, ts: input.ts }
  const change = input.change
  if (change.type === 'room') return { type: 'room', ...base, topic: change.topic }
  const { subject, op, role } = change
  const withRole = op === 'join' || op === 'invite' ? (role ?? 'member') : role
  return {
    type: 'member',
    ...base,
    subject,
    op,
    ...(withRole === undefined ? {} : { role: withRole }),
  }
}
