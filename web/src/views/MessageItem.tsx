/**
 * One stored message: author and time on the first of a group, the quote it answers, its text
 * (markdown; long ones collapsed) or the editor or a tombstone, "(edited)", link previews,
 * files, reactions, its reply count, and its actions (hover, keyboard focus, long press).
 */
import { useRef, useState } from 'preact/hooks'
import { previewImagePath, type ReplyQuote as Quote } from '../../../src/protocol/index.js'
import type { ShownMessage } from '../state/message-changes.js'
import { Attachments } from './Attachments.js'
import { MessageEditor } from './MessageEditor.js'
import { MessageText } from './MessageText.js'
import { MessageToolbar } from './MessageToolbar.js'
import type { MessageView } from './message-view.js'
import { PreviewCard } from './PreviewCard.js'
import { ReactionBar } from './ReactionBar.js'
import { ReplyQuote } from './ReplyQuote.js'

interface Props {
  readonly message: ShownMessage
  readonly own: boolean
  readonly first: boolean
  readonly view: MessageView
  /** The answered message, when held (its current state beats the timeline's quote). */
  readonly parent: ShownMessage | undefined
  readonly replies: number
  /** Mine, just acknowledged by the server: confirmed under the bubble. */
  readonly sent?: boolean
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' })

/** Past either limit a message shows its first lines and a "Show more" button. */
const COLLAPSE_CHARS = 700
const COLLAPSE_LINES = 12
/** A touch held this long opens the message's actions. */
const LONG_PRESS_MS = 500

export function isLong(text: string): boolean {
  return text.length > COLLAPSE_CHARS || text.split('\n').length > COLLAPSE_LINES
}

function quoteOf(message: ShownMessage, parent: ShownMessage | undefined): Quote | null {
  if (parent) return { user: parent.user, text: parent.text, deleted: parent.deleted === true }
  return message.quote ?? null
}

export function MessageItem({ message, own, first, view, parent, replies, sent = false }: Props) {
  const [expanded, setExpanded] = useState(false)
  const [active, setActive] = useState(false)
  const pressTimer = useRef<number | undefined>(undefined)
  const { me, handlers } = view
  const date = new Date(message.ts)
  const full = fullFormat.format(date)
  const deleted = message.deleted === true
  const editing = view.editing === message.seq && !deleted
  const long = !deleted && isLong(message.text)
  const collapsed = long && !expanded
  const mentionsMe =
    !own && (message.mentions ?? []).some((name) => name === me || name === '@room')
  const highlighted = view.highlight?.seq === message.seq
  const classes = [
    'msg',
    own && 'own',
    first && 'first',
    deleted && 'deleted',
    mentionsMe && 'mentions-me',
    highlighted && 'highlight',
  ]
  const endPress = () => window.clearTimeout(pressTimer.current)
  return (
    <li
      class={classes.filter(Boolean).join(' ')}
      data-seq={message.seq}
      // Reached with the arrow keys (the list is one tab stop); its actions join the tab order
      // only while focus is within it.
      tabIndex={-1}
      onFocusIn={() => setActive(true)}
      onFocusOut={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setActive(false)
      }}
      onTouchStart={(e) => {
        const item = e.currentTarget
        endPress()
        pressTimer.current = window.setTimeout(() => item.focus(), LONG_PRESS_MS)
      }}
      onTouchEnd={endPress}
      onTouchMove={endPress}
      onTouchCancel={endPress}
    >
      {first && (
        <div class="meta">
          <span class="author">{message.user}</span>
          {own && <span class="you">you</span>}
          <time dateTime={date.toISOString()} title={full}>
            {timeFormat.format(date)}
          </time>
        </div>
      )}
      {mentionsMe && <span class="sr-only">Mentions you.</span>}
      {message.replyTo !== undefined && (
        <ReplyQuote
          quote={quoteOf(message, parent)}
          onJump={() => handlers.jumpTo(message.replyTo ?? 0)}
        />
      )}
      {deleted ? (
        <div class="bubble tombstone" title={first ? undefined : full}>
          <p>message deleted</p>
        </div>
      ) : editing ? (
        <MessageEditor
          seq={message.seq}
          text={message.text}
          onSave={(text) => handlers.saveEdit(message.seq, text)}
          onCancel={handlers.cancelEdit}
        />
      ) : (
        // A message of files alone has no text, so no bubble.
        (message.text !== '' || message.editedAt !== undefined) && (
          <div class={collapsed ? 'bubble collapsed' : 'bubble'} title={first ? undefined : full}>
            <MessageText text={message.text} mentions={message.mentions} me={me} />
            {message.editedAt !== undefined && (
              <span
                class="edited"
                title={`Edited ${fullFormat.format(new Date(message.editedAt))}`}
              >
                (edited)
              </span>
            )}
          </div>
        )
      )}
      {!deleted && message.attachments && <Attachments files={message.attachments} />}
      {long && !editing && (
        <button
          type="button"
          class="ghost small more"
          aria-expanded={expanded}
          onClick={() => setExpanded((open) => !open)}
        >
          {expanded ? 'Show less' : 'Show more'}
        </button>
      )}
      {sent && (
        <p class="delivery sent">
          <span aria-hidden="true">✓</span> Sent
        </p>
      )}
      {!deleted &&
        message.previews?.map((preview) => (
          <PreviewCard
            key={preview.url}
            preview={preview}
            imageSrc={
              preview.image ? previewImagePath(message.room, message.seq, preview.url) : null
            }
          />
        ))}
      {!deleted && message.reactions && (
        <ReactionBar
          reactions={message.reactions}
          me={me}
          onToggle={(emoji) => handlers.react(message.seq, emoji)}
        />
      )}
      {replies > 0 && <p class="replies">{replies === 1 ? '1 reply' : `${replies} replies`}</p>}
      {!deleted && !editing && !message.provisional && (
        <MessageToolbar
          tabbable={active}
          canEdit={own}
          canDelete={view.canDelete(message)}
          onReact={(emoji) => handlers.react(message.seq, emoji)}
          onReply={() => handlers.reply(message.seq)}
          onEdit={() => handlers.edit(message.seq)}
          onDelete={() => handlers.delete(message)}
        />
      )}
    </li>
  )
}
