/** One stored message: author and time on the first of a group, text, link previews. */
import { type ChatMessage, previewImagePath } from '../../../src/protocol/index.js'
import { MessageText } from './MessageText.js'
import { PreviewCard } from './PreviewCard.js'

interface Props {
  readonly message: ChatMessage
  readonly own: boolean
  readonly first: boolean
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function MessageItem({ message, own, first }: Props) {
  const date = new Date(message.ts)
  return (
    <li class={`msg${own ? ' own' : ''}${first ? ' first' : ''}`} data-seq={message.seq}>
      {first && (
        <div class="meta">
          <span class="author">{message.user}</span>
          {own && <span class="you">you</span>}
          <time dateTime={date.toISOString()} title={fullFormat.format(date)}>
            {timeFormat.format(date)}
          </time>
        </div>
      )}
      <div class="bubble" title={first ? undefined : fullFormat.format(date)}>
        <MessageText text={message.text} />
      </div>
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
