/** The message box: Enter sends, Shift+Enter adds a line; typing is announced at most every 2 s. */
import { useMemo, useRef, useState } from 'preact/hooks'
import { throttle, TYPING_SEND_INTERVAL_MS } from '../typing.js'
import { TypingLine } from './TypingLine.js'

interface Props {
  readonly room: string
  readonly typing: readonly string[]
  readonly onSend: (text: string) => boolean
  readonly onTyping: () => void
}

/** The server's default text limit (wire contract: text 1-4000 characters). */
const MAX_CHARS = 4000
const MAX_HEIGHT_PX = 200

export function Composer({ room, typing, onSend, onTyping }: Props) {
  const [text, setText] = useState('')
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

  const submit = (event?: Event) => {
    event?.preventDefault()
    if (tooLong || !onSend(text)) return
    setText('')
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
        <p id="composer-limit" class={tooLong ? 'field-error' : 'field-hint'}>
          {length} / {MAX_CHARS} characters
        </p>
      )}
    </form>
  )
}
