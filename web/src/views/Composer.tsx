/**
 * The message box of one room (mounted per room, so a draft never follows you elsewhere): Enter
 * sends, Shift+Enter adds a line; typing is announced at most every 2 s; the draft is kept per room.
 * Reply mode shows the answered message above the box (Escape cancels); "@" suggests people (arrows,
 * Enter or Tab to pick, Escape to close); Up in an empty box edits my last message. Files join the
 * message by the attach button, by dropping them on the box, or by pasting images; each uploads at
 * once, with a progress bar and a cancel button.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { FileView, ReplyQuote as Quote } from '../../../src/protocol/index.js'
import {
  insertMention,
  type MentionQuery,
  mentionQuery,
  suggestNames,
} from '../mention-complete.js'
import { throttle, TYPING_SEND_INTERVAL_MS } from '../typing.js'
import { AttachmentTray } from './AttachmentTray.js'
import { MentionMenu, optionId } from './MentionMenu.js'
import { ReplyQuote } from './ReplyQuote.js'
import { TypingLine } from './TypingLine.js'
import { type UploadFile, useUploads } from './use-uploads.js'

interface Props {
  readonly room: string
  readonly me: string
  readonly typing: readonly string[]
  /** The message being answered (null: not in reply mode). */
  readonly replyingTo: Quote | null
  readonly onCancelReply: () => void
  /** Up in an empty box; false when I have no message here to edit. */
  readonly onEditLast: () => boolean
  /** People to suggest after "@" (the room's members and who is online; duplicates are fine). */
  readonly names: readonly string[]
  /** The first "@": fetch the room's members. */
  readonly onNeedNames: () => void
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

const MENU_ID = 'mention-options'

export function Composer(props: Props) {
  const { room, me, typing, draft, onDraft, onSend, onTyping, onUpload, replyingTo, names } = props
  const [text, setText] = useState(draft)
  /** The "@name" being typed, and which suggestion is active; null when no menu is open. */
  const [mention, setMention] = useState<{ query: MentionQuery; active: number } | null>(null)
  const suggestions = mention ? suggestNames(mention.query.query, names, me) : []
  const menuOpen = suggestions.length > 0
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

  // Reply mode started (from a message's Reply): write the answer here.
  const replying = replyingTo !== null
  useEffect(() => {
    if (replying) input.current?.focus()
  }, [replying, replyingTo])

  const findMention = (el: HTMLTextAreaElement) => {
    const query =
      el.selectionStart === el.selectionEnd ? mentionQuery(el.value, el.selectionStart) : null
    if (query) props.onNeedNames()
    setMention((open) =>
      query ? { query, active: open?.query.start === query.start ? open.active : 0 } : null,
    )
  }

  const pick = (name: string) => {
    const el = input.current
    if (!el || !mention) return
    const next = insertMention(el.value, el.selectionStart, mention.query, name)
    el.value = next.text
    el.setSelectionRange(next.caret, next.caret)
    setText(next.text)
    onDraft(next.text)
    setMention(null)
    resize()
  }

  /** The mention menu and reply mode take their keys first; true when a key was used. */
  const menuKey = (e: KeyboardEvent): boolean => {
    if (menuOpen && mention) {
      const move = (by: number) =>
        setMention({
          ...mention,
          active: (mention.active + by + suggestions.length) % suggestions.length,
        })
      if (e.key === 'ArrowDown') move(1)
      else if (e.key === 'ArrowUp') move(-1)
      else if (e.key === 'Enter' || e.key === 'Tab') pick(suggestions[mention.active] ?? '')
      else if (e.key === 'Escape') setMention(null)
      else return false
      return true
    }
    if (e.key === 'Escape' && replying) props.onCancelReply()
    else if (e.key === 'ArrowUp' && text === '' && props.onEditLast()) {
      // The editor takes the focus.
    } else return false
    return true
  }

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

  const active = mention && menuOpen ? optionId(MENU_ID, mention.active) : undefined
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
      {replyingTo && (
        <div class="replying" role="group" aria-label="Replying to">
          <span class="replying-label">Replying to</span>
          <ReplyQuote quote={replyingTo} />
          <button
            type="button"
            class="ghost small"
            aria-label="Cancel reply"
            onClick={() => {
              props.onCancelReply()
              input.current?.focus()
            }}
          >
            Cancel
          </button>
        </div>
      )}
      {menuOpen && (
        <MentionMenu id={MENU_ID} names={suggestions} active={mention?.active ?? 0} onPick={pick} />
      )}
      <p class="sr-only" aria-live="polite">
        {menuOpen ? `${suggestions.length} people to mention; arrows to choose, Enter to pick` : ''}
      </p>
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
          aria-autocomplete="list"
          aria-controls={menuOpen ? MENU_ID : undefined}
          aria-activedescendant={active}
          onInput={(e) => {
            setText(e.currentTarget.value)
            setRefused(false)
            onDraft(e.currentTarget.value)
            resize()
            findMention(e.currentTarget)
            if (e.currentTarget.value.trim()) announceTyping()
          }}
          onClick={(e) => findMention(e.currentTarget)}
          onBlur={() => setMention(null)}
          onKeyDown={(e) => {
            if (e.isComposing) return
            if (menuKey(e)) e.preventDefault()
            else if (e.key === 'Enter' && !e.shiftKey) submit(e)
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
