/**
 * A message's actions, shown on hover, on keyboard focus within the message and on a long press
 * (which focuses it): react (a few common emoji), reply, edit (mine), delete (mine, or as a
 * moderator).
 */
import { useEffect, useRef, useState } from 'preact/hooks'

/** The picker's emoji: common reactions, each one emoji as the server requires. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const

interface Props {
  /** In the tab order only while its message holds focus (the list itself is one tab stop). */
  readonly tabbable: boolean
  readonly canEdit: boolean
  readonly canDelete: boolean
  readonly onReact: (emoji: string) => void
  readonly onReply: () => void
  readonly onEdit: () => void
  readonly onDelete: () => void
}

export function MessageToolbar({
  tabbable,
  canEdit,
  canDelete,
  onReact,
  onReply,
  onEdit,
  onDelete,
}: Props) {
  const [picking, setPicking] = useState(false)
  const tab = tabbable || picking ? 0 : -1
  const reactButton = useRef<HTMLButtonElement>(null)
  const picker = useRef<HTMLDivElement>(null)
  // The first emoji takes the focus, so the keyboard goes on from the picker.
  useEffect(() => {
    if (picking) picker.current?.querySelector('button')?.focus()
  }, [picking])
  const closePicker = () => {
    setPicking(false)
    reactButton.current?.focus()
  }
  return (
    <div
      class={picking ? 'msg-actions picking' : 'msg-actions'}
      role="group"
      aria-label="Message actions"
      onFocusOut={(e) => {
        // Focus (or a click) went elsewhere: the picker closes.
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setPicking(false)
      }}
    >
      <button
        ref={reactButton}
        type="button"
        class="ghost small"
        tabIndex={tab}
        aria-expanded={picking}
        onClick={() => setPicking((open) => !open)}
      >
        React
      </button>
      <button type="button" class="ghost small" tabIndex={tab} onClick={onReply}>
        Reply
      </button>
      {canEdit && (
        <button type="button" class="ghost small" tabIndex={tab} onClick={onEdit}>
          Edit
        </button>
      )}
      {canDelete && (
        <button type="button" class="ghost small danger-text" tabIndex={tab} onClick={onDelete}>
          Delete
        </button>
      )}
      {picking && (
        <div
          ref={picker}
          class="emoji-picker"
          role="group"
          aria-label="Pick a reaction"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation()
              closePicker()
            }
          }}
        >
          {QUICK_EMOJI.map((emoji) => (
            <button
              key={emoji}
              type="button"
              class="ghost emoji"
              aria-label={`React with ${emoji}`}
              onClick={() => {
                onReact(emoji)
                closePicker()
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
