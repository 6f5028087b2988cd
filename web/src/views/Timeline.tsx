/**
 * A room's stored messages in seq order, with a day separator before each new calendar day, the
 * "new messages" line after the read mark, and each presence notice after the message that was
 * newest when it happened.
 */
import type { ChatMessage } from '../../../src/protocol/index.js'
import type { Notice } from '../state/chat-state.js'
import { startsGroup } from '../timeline.js'
import { MessageItem } from './MessageItem.js'

interface Props {
  readonly messages: readonly ChatMessage[]
  readonly notices: readonly Notice[]
  readonly me: string
  /** The "new messages" line goes after this seq (only if a later message is from someone else). */
  readonly newAfter: number | null
  /** My last message acknowledged on this page: "Sent" under it while it is my latest. */
  readonly sentSeq: number | undefined
}

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
})

function dayKey(ts: number): string {
  const d = new Date(ts)
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`
}

/** "Today", "Yesterday", or the full date. */
export function dayLabel(ts: number, now = Date.now()): string {
  const key = dayKey(ts)
  if (key === dayKey(now)) return 'Today'
  const yesterday = new Date(now)
  yesterday.setDate(yesterday.getDate() - 1)
  if (key === dayKey(yesterday.getTime())) return 'Yesterday'
  return dayFormat.format(new Date(ts))
}

export function Timeline({ messages, notices, me, newAfter, sentSeq }: Props) {
  const items = []
  let n = 0
  let previous: ChatMessage | undefined
  let day = ''
  const divider =
    newAfter === null
      ? undefined
      : messages.find((m) => m.seq > newAfter && m.user !== me && newAfter > 0)
  const lastOwn = messages.findLast((m) => m.user === me)?.seq
  for (const message of messages) {
    while (n < notices.length && (notices[n]?.afterSeq ?? 0) < message.seq) {
      items.push(<NoticeItem key={`n${notices[n]?.id}`} text={notices[n]?.text ?? ''} />)
      previous = undefined
      n++
    }
    const messageDay = dayKey(message.ts)
    if (messageDay !== day) {
      day = messageDay
      previous = undefined
      items.push(
        <li key={`d${messageDay}`} class="day">
          <span>{dayLabel(message.ts)}</span>
        </li>,
      )
    }
    if (message === divider) {
      previous = undefined
      items.push(
        <li key="new" class="new-line">
          <span>New messages</span>
        </li>,
      )
    }
    items.push(
      <MessageItem
        key={message.seq}
        message={message}
        own={message.user === me}
        first={startsGroup(previous, message)}
        sent={message.seq === sentSeq && message.seq === lastOwn}
      />,
    )
    previous = message
  }
  for (; n < notices.length; n++)
    items.push(<NoticeItem key={`n${notices[n]?.id}`} text={notices[n]?.text ?? ''} />)
  return <>{items}</>
}

function NoticeItem({ text }: { text: string }) {
  return <li class="notice">{text}</li>
}
