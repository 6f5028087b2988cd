/** Reactions under a message: one button per emoji with its count; who reacted on hover; mine pressed, a click toggles mine. */
import type { Reactions } from '../../../src/protocol/index.js'

interface Props {
  readonly reactions: Reactions
  readonly me: string
  readonly onToggle: (emoji: string) => void
}

export function ReactionBar({ reactions, me, onToggle }: Props) {
  const entries = Object.entries(reactions).filter(([, users]) => users.length > 0)
  if (entries.length === 0) return null
  return (
    <div class="reactions" role="group" aria-label="Reactions">
      {entries.map(([emoji, users]) => {
        const mine = users.includes(me)
        const who = users.map((user) => (user === me ? 'you' : user)).join(', ')
        return (
          <button
            key={emoji}
            type="button"
            class={mine ? 'reaction mine' : 'reaction'}
            aria-pressed={mine}
            aria-label={`${emoji} ${users.length}, from ${who}`}
            title={who}
            onClick={() => onToggle(emoji)}
          >
            <span aria-hidden="true">{emoji}</span>
            <span class="count" aria-hidden="true">
              {users.length}
            </span>
          </button>
        )
      })}
    </div>
  )
}
