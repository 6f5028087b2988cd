/**
 * The message box of one room (mounted per room, so a draft never follows you elsewhere): Enter
 * sends, Shift+Enter adds a line; typing is announced at most every 2 s; the draft is kept per room.
 * Files join the message by the attach button, by dropping them on the box, or by pasting images;
 * each uploads at once, with a progress bar and a cancel button.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { FileView } from '../../../src/protocol/index.js'
import { throttle, TYPING_SEND_INTERVAL_MS } from '../typing.js'
import { AttachmentTray } from './AttachmentTray.js'
import { TypingLine } from './TypingLine.js'
import { type UploadFile, useUploads } from './use-uploads.js'

interface Props {
  readonly room: string
  readonly typing: readonly string[]
  /** The room's saved draft, the box's text when it opens. */
  readonly draft: string
  readonly onDraft: (text: string) => void
  readonly onSend: (text: string, files: readonly FileView[]) => boolean
  readonly onTyping: () => void
  readonly onUpload: UploadFile
}

/** The server's default text limit (wire contract: text 1-4000 characters). */
const MAX_CHARS = 4000
const MAX_HEIGHT_PX = 200

export function Composer({ room, typing, draft, onDraft, onSend, onTyping, onUpload }: Props) {
  const [text, setText] = useState(draft)
  const files = useUploads(onUpload)
  const picker = useRef<HTMLInputElement>(null)
  const [dropping, setDropping] = useState(false)
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
    if (files.busy || !onSend(text, files.ready)) return
    files.clear()
    setText('')
    onDraft('')
    if (input.current) input.current.value = ''
    resize()
    input.current?.focus()
  }

  return (
    <form
      class={dropping ? 'composer dropping' : 'composer'}
      onSubmit={submit}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes('Files')) return
        e.preventDefault()
        setDropping(true)
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        setDropping(false)
        const dropped = [...(e.dataTransfer?.files ?? [])]
        if (dropped.length === 0) return
        e.preventDefault()
        files.add(dropped)
      }}
    >
      <TypingLine users={typing} />
      <AttachmentTray uploads={files.uploads} onRemove={(key) => files.remove(key)} />
      <label for="composer-input" class="sr-only">
        Message #{room}
      </label>
      <div class="composer-row">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          onChange={(e) => {
            files.add([...(e.currentTarget.files ?? [])])
            e.currentTarget.value = ''
          }}
        />
        <button
          type="button"
          class="ghost attach"
          aria-label="Attach files"
          title="Attach files (or drop them here, or paste an image)"
          onClick={() => picker.current?.click()}
        >
          📎
        </button>
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
          onPaste={(e) => {
            const pasted = [...(e.clipboardData?.files ?? [])]
            if (pasted.length === 0) return
            e.preventDefault()
            files.add(pasted)
          }}
        />
        <button
          type="submit"
          class="primary"
          disabled={tooLong || files.busy || (text.trim() === '' && files.ready.length === 0)}
          aria-label="Send message"
        >
          Send
        </button>
      </div>
      {files.busy && (
        <p class="field-hint" aria-live="polite">
          Sending waits until the files are uploaded.
        </p>
      )}
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
