/**
 * The room's messages, oldest at the top: history loads when scrolled near the top, the view
 * sticks to the bottom while you are there (whatever resizes it: the composer growing, a preview
 * loading), scroll position is kept when older pages arrive, and when scrolled up a button jumps
 * to the latest with a count of what arrived since.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { OutboxItem } from '../outbox.js'
import type { RoomState } from '../state/chat-state.js'
import { handleListKey } from './list-keys.js'
import type { MessageView } from './message-view.js'
import { PendingItem } from './PendingItem.js'
import { Timeline } from './Timeline.js'

interface Props {
  readonly room: RoomState
  readonly view: MessageView
  readonly outbox: readonly OutboxItem[]
  readonly failures: Readonly<Record<string, string>>
  readonly stalled: Readonly<Record<string, true>>
  /** The seq of my last message acknowledged here, marked "Sent". */
  readonly sentSeq: number | undefined
  readonly online: boolean
  /** The room's read mark when it was opened: the "new messages" line goes after it. */
  readonly newSince: number | null
  readonly onLoadOlder: () => void
  readonly onRetry: (cid: string) => void
  readonly onDiscard: (cid: string) => void
}

/** Start loading older history when the top is this close. */
const LOAD_OLDER_PX = 120
const BOTTOM_SLACK_PX = 48

export function MessageList(props: Props) {
  const { room, view, outbox, failures, stalled, sentSeq, online, newSince } = props
  const { onLoadOlder, onRetry, onDiscard } = props
  const { me } = view
  const scroller = useRef<HTMLDivElement>(null)
  const list = useRef<HTMLOListElement>(null)
  const atBottom = useRef(true)
  const [pinned, setPinned] = useState(true)
  /** Highest seq on screen the last time the reader was at the bottom. */
  const seenSeq = useRef(0)
  /** A "new messages" line started while scrolled up (when the room had none on opening). */
  const [scrolledNew, setScrolledNew] = useState<number | null>(null)
  const previous = useRef({ room: '', firstSeq: 0, lastSeq: 0, height: 0, outbox: 0 })
  const lastSeq = room.messages.at(-1)?.seq ?? 0

  const toBottom = () => {
    const el = scroller.current
    if (!el) return
    el.scrollTop = el.scrollHeight
    atBottom.current = true
    seenSeq.current = lastSeq
    setPinned(true)
  }

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const firstSeq = room.messages[0]?.seq ?? 0
    const last = previous.current
    if (last.room !== room.name) {
      setScrolledNew(null)
      toBottom()
    } else if (outbox.length > last.outbox) {
      // Your own new message: bring it (and its Sending… / Not sent state) into view.
      toBottom()
    } else if (firstSeq < last.firstSeq && last.firstSeq !== 0) {
      // An older page was prepended: keep the message the reader was looking at in place.
      el.scrollTop += el.scrollHeight - last.height
    } else if (atBottom.current) {
      toBottom()
    } else if (lastSeq > last.lastSeq && newSince === null && scrolledNew === null) {
      setScrolledNew(last.lastSeq)
    }
    previous.current = {
      room: room.name,
      firstSeq,
      lastSeq,
      height: el.scrollHeight,
      outbox: outbox.length,
    }
  })

  // A jump (a reply's parent, a notification): bring the message into view and focus it, so the
  // keyboard and screen readers are where the eyes are.
  const jump = view.highlight
  useEffect(() => {
    if (!jump) return
    const target = list.current?.querySelector<HTMLElement>(`li.msg[data-seq="${jump.seq}"]`)
    if (!target) return
    target.scrollIntoView({ block: 'center' })
    target.focus({ preventScroll: true })
  }, [jump?.id])

  // Layout changes that are not renders of this list (the composer growing or shrinking, the
  // window resizing, an image loading) keep the bottom in view if that is where the reader was.
  useEffect(() => {
    const el = scroller.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight
    })
    observer.observe(el)
    if (list.current) observer.observe(list.current)
    return () => observer.disconnect()
  }, [])

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
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX
    atBottom.current = bottom
    if (bottom) seenSeq.current = lastSeq
    if (bottom !== pinned) setPinned(bottom)
    if (el.scrollTop < LOAD_OLDER_PX && room.history === 'idle') onLoadOlder()
  }

  const unseen = pinned
    ? 0
    : room.messages.filter((m) => m.seq > seenSeq.current && m.user !== me).length
  const latestFromOthers = room.messages.findLast((m) => m.user !== me && !m.deleted)
  return (
    <div class="scroll-area">
      <div
        class="scroller"
        ref={scroller}
        onScroll={onScroll}
        onKeyDown={(e) => {
          if (scroller.current && handleListKey(scroller.current, e)) e.preventDefault()
        }}
        tabIndex={0}
        role="region"
        aria-label={`Messages in ${room.name}`}
        aria-description="Enter to move through messages with the arrow keys, Escape to leave them"
      >
        <HistoryStatus
          room={room}
          onLoadOlder={() => {
            // The button gives way to "Loading…": focus stays in the list, not on the page body.
            scroller.current?.focus({ preventScroll: true })
            onLoadOlder()
          }}
        />
        <ol class="messages" ref={list}>
          <Timeline
            messages={room.messages}
            notices={room.notices}
            view={view}
            newAfter={newSince ?? scrolledNew}
            sentSeq={sentSeq}
          />
          {outbox.map((item, i) => (
            <PendingItem
              key={item.cid}
              item={item}
              failure={failures[item.cid] ?? null}
              stalled={stalled[item.cid] === true}
              held={outbox.slice(0, i).some((earlier) => earlier.failed)}
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
      {!pinned && (
        <button type="button" class="jump" onClick={toBottom}>
          {unseen > 0
            ? `${unseen} new message${unseen === 1 ? '' : 's'} · Jump to latest`
            : 'Jump to latest'}
        </button>
      )}
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
  // Out of the tab order: Tab from the list would land here, jump to the top and load a page.
  // Keyboard readers scroll the list (arrows, Page Up), which loads older pages by itself.
  return (
    <p class="history-note">
      <button
        type="button"
        class="ghost small"
        tabIndex={room.history === 'error' ? 0 : -1}
        onClick={onLoadOlder}
      >
        {room.history === 'error' ? 'Could not load history. Retry' : 'Load older messages'}
      </button>
    </p>
  )
}
