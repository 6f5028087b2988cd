/**
 * The room's messages, oldest at the top: history loads when scrolled near the top, the view
 * sticks to the bottom while you are there, and scroll position is kept when older pages arrive.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import type { ChatMessage } from '../../../src/protocol/index.js'
import type { OutboxItem } from '../outbox.js'
import type { Notice, RoomState } from '../state/chat-state.js'
import { startsGroup } from '../timeline.js'
import { MessageItem } from './MessageItem.js'
import { PendingItem } from './PendingItem.js'

interface Props {
  readonly room: RoomState
  readonly me: string
  readonly outbox: readonly OutboxItem[]
  readonly failures: Readonly<Record<string, string>>
  readonly online: boolean
  readonly onLoadOlder: () => void
  readonly onRetry: (cid: string) => void
  readonly onDiscard: (cid: string) => void
}

/** Start loading older history when the top is this close. */
const LOAD_OLDER_PX = 120
const BOTTOM_SLACK_PX = 48

export function MessageList(props: Props) {
  const { room, me, outbox, failures, online, onLoadOlder, onRetry, onDiscard } = props
  const scroller = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const previous = useRef({ room: '', firstSeq: 0, height: 0 })

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const firstSeq = room.messages[0]?.seq ?? 0
    const last = previous.current
    if (last.room !== room.name) {
      el.scrollTop = el.scrollHeight
      atBottom.current = true
    } else if (firstSeq < last.firstSeq && last.firstSeq !== 0) {
      // An older page was prepended: keep the message the reader was looking at in place.
      el.scrollTop += el.scrollHeight - last.height
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight
    }
    previous.current = { room: room.name, firstSeq, height: el.scrollHeight }
  })

  // A first page shorter than the viewport shows no scrollbar, so nothing would trigger scroll-back.
  useEffect(() => {
    const el = scroller.current
    if (el && room.history === 'idle' && el.scrollHeight <= el.clientHeight + LOAD_OLDER_PX) {
      if (room.messages.length > 0) onLoadOlder()
    }
  }, [room.history, room.messages.length, onLoadOlder])

  const onScroll = () => {
    const el = scroller.current
    if (!el) return
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX
    if (el.scrollTop < LOAD_OLDER_PX && room.history === 'idle') onLoadOlder()
  }

  const latestFromOthers = [...room.messages].reverse().find((m) => m.user !== me)
  return (
    <div
      class="scroller"
      ref={scroller}
      onScroll={onScroll}
      tabIndex={0}
      aria-label={`Messages in ${room.name}`}
    >
      <HistoryStatus room={room} onLoadOlder={onLoadOlder} />
      <ol class="messages">
        {renderTimeline(room.messages, room.notices, me)}
        {outbox.map((item) => (
          <PendingItem
            key={item.cid}
            item={item}
            failure={failures[item.cid] ?? null}
            online={online}
            onRetry={onRetry}
            onDiscard={onDiscard}
          />
        ))}
      </ol>
      <p class="sr-only" aria-live="polite" aria-atomic="true">
        {latestFromOthers ? `${latestFromOthers.user}: ${latestFromOthers.text}` : ''}
      </p>
    </div>
  )
}

function HistoryStatus({ room, onLoadOlder }: { room: RoomState; onLoadOlder: () => void }) {
  if (room.history === 'done')
    return (
      <p class="history-note">
        {room.messages.length
          ? `This is the start of #${room.name}.`
          : `No messages in #${room.name} yet. Say hello!`}
      </p>
    )
  if (room.history === 'loading')
    return (
      <p class="history-note" aria-busy="true">
        Loading older messages…
      </p>
    )
  return (
    <p class="history-note">
      <button type="button" class="ghost small" onClick={onLoadOlder}>
        {room.history === 'error' ? 'Could not load history. Retry' : 'Load older messages'}
      </button>
    </p>
  )
}

/** Messages in seq order, each presence notice after the message that was newest when it happened. */
function renderTimeline(messages: readonly ChatMessage[], notices: readonly Notice[], me: string) {
  const items = []
  let n = 0
  let previous: ChatMessage | undefined
  for (const message of messages) {
    while (n < notices.length && (notices[n]?.afterSeq ?? 0) < message.seq) {
      items.push(<NoticeItem key={`n${notices[n]?.id}`} text={notices[n]?.text ?? ''} />)
      previous = undefined
      n++
    }
    items.push(
      <MessageItem
        key={message.seq}
        message={message}
        own={message.user === me}
        first={startsGroup(previous, message)}
      />,
    )
    previous = message
  }
  for (; n < notices.length; n++)
    items.push(<NoticeItem key={`n${notices[n]?.id}`} text={notices[n]?.text ?? ''} />)
  return items
}

function NoticeItem({ text }: { text: string }) {
  return <li class="notice">{text}</li>
}
