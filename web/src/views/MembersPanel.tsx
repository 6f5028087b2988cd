/**
 * The members panel of the open room: who is in it with their roles; for those allowed (see
 * state/room-roles.ts), invite, remove, change a role and set the topic; for server admins, ban
 * and unban. It refetches the list whenever the room's log has a `member` event.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { MemberView, Role } from '../../../src/protocol/index.js'
import type { RoomAdmin } from '../chat/room-admin.js'
import type { RoomState } from '../state/chat-state.js'
import { roomLabel } from '../state/room-list.js'
import {
  canBan,
  canInvite,
  canRemove,
  canSetTopic,
  type Me,
  rolesFor,
} from '../state/room-roles.js'

interface Props {
  readonly room: RoomState
  readonly me: Me
  readonly admin: RoomAdmin
  readonly onClose: () => void
}

export function MembersPanel({ room, me, admin, onClose }: Props) {
  const [members, setMembers] = useState<readonly MemberView[] | null>(null)
  const [status, setStatus] = useState('')
  const [invitee, setInvitee] = useState('')
  const [topic, setTopic] = useState(room.topic ?? '')
  /** The member whose ban waits for a second click. */
  const [banning, setBanning] = useState<string | null>(null)
  const name = room.name

  useEffect(() => {
    let live = true
    admin.members(name).then(
      (list) => live && setMembers(list),
      () => live && setStatus('Could not load the members.'),
    )
    return () => {
      live = false
    }
  }, [admin, name, room.memberSeq])
  useEffect(() => setTopic(room.topic ?? ''), [room.topic])
  // Escape closes the panel from within it, or from nowhere (a removed member's button took focus
  // with it); the composer's own Escape (reply mode, @ list) stays the composer's.
  const panel = useRef<HTMLElement>(null)
  useEffect(() => {
    const close = (e: KeyboardEvent) => {
      const at = e.target instanceof Node ? e.target : null
      const inside = at === document.body || (at !== null && panel.current?.contains(at) === true)
      if (e.key === 'Escape' && inside) onClose()
    }
    document.addEventListener('keydown', close)
    return () => document.removeEventListener('keydown', close)
  }, [onClose])

  /** Runs a call; its failure, or `done`, goes to the live status line. */
  const run = async (call: Promise<string | null>, done: string) => {
    const failure = await call
    setStatus(failure ?? done)
    return failure === null
  }
  const invite = async (event: Event) => {
    event.preventDefault()
    const who = invitee.trim()
    if (!who) return setStatus('Type a username to invite.')
    if (await run(admin.invite(name, who), `${who} was added.`)) setInvitee('')
  }
  const saveTopic = (event: Event) => {
    event.preventDefault()
    void run(admin.setTopic(name, topic), 'Topic saved.')
  }
  const kind = room.kind
  const title = kind === 'dm' ? roomLabel(room, me.username) : `#${name}`

  return (
    <aside id="members-panel" class="members-panel" aria-labelledby="members-title" ref={panel}>
      <div class="panel-head">
        <h2 id="members-title">Members of {title}</h2>
        <button type="button" class="ghost small panel-close" onClick={onClose}>
          Close
        </button>
      </div>
      {canSetTopic(me, kind) && (
        <form class="panel-form" onSubmit={saveTopic}>
          <label for="room-topic">Topic</label>
          <div class="row">
            <input
              id="room-topic"
              value={topic}
              maxLength={256}
              onInput={(e) => setTopic(e.currentTarget.value)}
            />
            <button type="submit" class="secondary">
              Set topic
            </button>
          </div>
        </form>
      )}
      {canInvite(me, kind) && (
        <form class="panel-form" onSubmit={(e) => void invite(e)}>
          <label for="invite-user">Add someone</label>
          <div class="row">
            <input
              id="invite-user"
              value={invitee}
              placeholder="username"
              autoComplete="off"
              onInput={(e) => setInvitee(e.currentTarget.value)}
            />
            <button type="submit" class="secondary">
              Invite
            </button>
          </div>
        </form>
      )}
      <p class="panel-status" role="status">
        {status}
      </p>
      {members === null ? (
        <p class="panel-status">Loading…</p>
      ) : (
        <ul class="member-list" aria-label="Members">
          {members.map((member) => {
            const roles = rolesFor(me, kind, member)
            const who = member.username
            return (
              <li key={who} class="member">
                <span class="member-name">{who}</span>
                {roles.length > 0 ? (
                  <select
                    aria-label={`Role of ${who}`}
                    value={member.role}
                    onChange={(e) => {
                      const role = e.currentTarget.value as Role
                      void run(admin.setRole(name, who, role), `${who} is now ${role}.`)
                    }}
                  >
                    {roles.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span class={`role role-${member.role}`}>{member.role}</span>
                )}
                {canRemove(me, kind, member) && (
                  <button
                    type="button"
                    class="ghost small"
                    aria-label={`Remove ${who}`}
                    onClick={() => {
                      // The button leaves with its row: focus stays in the panel.
                      void run(admin.remove(name, who), `${who} was removed.`).then((done) => {
                        if (done) panel.current?.querySelector<HTMLElement>('.panel-close')?.focus()
                      })
                    }}
                  >
                    Remove
                  </button>
                )}
                {canBan(me, who) && (
                  <>
                    {banning === who ? (
                      // A ban ends every session of the account at once: asked twice.
                      <button
                        type="button"
                        class="ghost small danger"
                        onClick={() => {
                          setBanning(null)
                          void run(admin.ban(who, true), `${who} is banned.`)
                        }}
                      >
                        Confirm ban of {who}
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="ghost small"
                        aria-label={`Ban ${who}`}
                        onClick={() => setBanning(who)}
                      >
                        Ban
                      </button>
                    )}
                    <button
                      type="button"
                      class="ghost small"
                      aria-label={`Unban ${who}`}
                      onClick={() => void run(admin.ban(who, false), `${who} may sign in again.`)}
                    >
                      Unban
                    </button>
                  </>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </aside>
  )
}
