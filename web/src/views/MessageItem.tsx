/** One stored message: author and time on the first of a group, text (long ones collapsed), link previews. */
import { useState } from 'preact/hooks'
import { type ChatMessage, previewImagePath } from '../../../src/protocol/index.js'
import { Attachments } from './Attachments.js'
import { MessageText } from './MessageText.js'
import { PreviewCard } from './PreviewCard.js'

interface Props {
  readonly message: ChatMessage
  readonly own: boolean
  readonly first: boolean
  /** Mine, just acknowledged by the server: confirmed under the bubble. */
  readonly sent?: boolean
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' })

/** Past either limit a message shows its first lines and a "Show more" button. */
const COLLAPSE_CHARS = 700
const COLLAPSE_LINES = 12

export function isLong(text: string): boolean {
  return text.length > COLLAPSE_CHARS || text.split('\n').length > COLLAPSE_LINES
}

export function MessageItem({ message, own, first, sent = false }: Props) {
  const [expanded, setExpanded] = useState(false)
  const date = new Date(message.ts)
  const full = fullFormat.format(date)
  const long = isLong(message.text)
  const collapsed = long && !expanded
  return (
    <li class={`msg${own ? ' own' : ''}${first ? ' first' : ''}`} data-seq={message.seq}>
      {first && (
        <div class="meta">
          <span class="author">{message.user}</span>
          {own && <span class="you">you</span>}
          <time dateTime={date.toISOString()} title={full}>
            {timeFormat.format(date)}
          </time>
        </div>
      )}
      {message.deleted === true ? (
        <p class="bubble deleted">Message deleted</p>
      ) : (
        message.text !== '' && (
          <div class={collapsed ? 'bubble collapsed' : 'bubble'} title={first ? undefined : full}>
            <MessageText text={message.text} />
          </div>
        )
      )}
      {message.attachments && <Attachments files={message.attachments} />}
      {long && (
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
      {message.previews?.map((preview) => (
        <PreviewCard
          key={preview.url}
          preview={preview}
          imageSrc={preview.image ? previewImagePath(message.room, message.seq, preview.url) : null}
        />
      ))}
    </li>
  )
}
