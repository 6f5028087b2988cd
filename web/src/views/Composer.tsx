/**
 * The message box of one room (mounted per room, so a draft never follows you elsewhere): Enter
 * sends, Shift+Enter adds a line; typing is announced at most every 2 s; the draft is kept per room.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { throttle, TYPING_SEND_INTERVAL_MS } from '../typing.js'
import { TypingLine } from './TypingLine.js'

interface Props {
  readonly room: string
  readonly typing: readonly string[]
  /** The room's saved draft, the box's text when it opens. */
  readonly draft: string
  readonly onDraft: (text: string) => void
  readonly onSend: (text: string) => boolean
  readonly onTyping: () => void
}

/** The server's default text limit (wire contract: text 1-4000 characters). */
const MAX_CHARS = 4000
const MAX_HEIGHT_PX = 200

export function Composer({ room, typing, draft, onDraft, onSend, onTyping }: Props) {
  const [text, setText] = useState(draft)
  /** Enter was pressed on a message over the limit: say why nothing was sent. */
  const [refused, setRefused] = useState(false)
  const input = useRef<HTMLTextAreaElement>(null)
  // The parent passes a fresh callback each render; the throttle must outlive those, per room.
  const latestOnTyping = useRef(onTyping)
  latestOnTyping.current = onTyping
  const announceTyping = useMemo(
    () => throttle(() => latestOnTyping.current(), TYPING_SEND_INTERVAL_MS),
    [room],
  )
  const length = [...text].length
  const tooLong = length > MAX_CHARS

  const resize = () => {
    const el = input.current
    if (!el) return
    // Set through CSSOM (allowed by the CSP's style-src 'self', unlike a style attribute).
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`
  }

  // A multi-line draft restored from storage needs its height at once.
  useLayoutEffect(resize, [])

  const submit = (event?: Event) => {
    event?.preventDefault()
    if (tooLong) {
      setRefused(true)
      return
    }
    if (!onSend(text)) return
    setText('')
    onDraft('')
    if (input.current) input.current.value = ''
    resize()
    input.current?.focus()
  }

  return (
    <form class="composer" onSubmit={submit}>
      <TypingLine users={typing} />
      <label for="composer-input" class="sr-only">
        Message #{room}
      </label>
      <div class="composer-row">
        <textarea
          id="composer-input"
          ref={input}
          rows={1}
          value={text}
          placeholder={`Message #${room}`}
          aria-describedby={tooLong ? 'composer-limit' : undefined}
          aria-invalid={tooLong ? 'true' : 'false'}
          onInput={(e) => {
            setText(e.currentTarget.value)
            setRefused(false)
            onDraft(e.currentTarget.value)
            resize()
            if (e.currentTarget.value.trim()) announceTyping()
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e)
          }}
        />
        <button
          type="submit"
          class="primary"
          disabled={tooLong || text.trim() === ''}
          aria-label="Send message"
        >
          Send
        </button>
      </div>
      {length > MAX_CHARS - 200 && (
        <p
          id="composer-limit"
          class={tooLong ? 'field-error' : 'field-hint'}
          role={refused ? 'alert' : undefined}
        >
          {length} / {MAX_CHARS} characters
          {tooLong &&
            (refused
              ? `. Not sent: ${length - MAX_CHARS} too many. Shorten it, or split it in two.`
              : `: ${length - MAX_CHARS} too many to send.`)}
        </p>
      )}
    </form>
  )
}
