/** A message of mine edited in place: Enter saves, Shift+Enter adds a line, Escape cancels. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks'

interface Props {
  readonly seq: number
  readonly text: string
  /** False when it could not be sent (offline): the editor stays open with the text. */
  readonly onSave: (text: string) => boolean
  readonly onCancel: () => void
}

const MAX_HEIGHT_PX = 240

export function MessageEditor({ seq, text, onSave, onCancel }: Props) {
  const [value, setValue] = useState(text)
  const input = useRef<HTMLTextAreaElement>(null)

  const resize = () => {
    const el = input.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`
  }

  useLayoutEffect(() => {
    const el = input.current
    if (!el) return
    resize()
    el.focus()
    el.setSelectionRange(el.value.length, el.value.length)
  }, [])

  const done = () => document.getElementById('composer-input')?.focus()
  const save = (event?: Event) => {
    event?.preventDefault()
    if (value.trim() === '') return
    if (onSave(value)) done()
  }
  const cancel = () => {
    onCancel()
    done()
  }
  const id = `edit-${seq}`
  return (
    <form class="editor" onSubmit={save}>
      <label for={id} class="sr-only">
        Edit message
      </label>
      <textarea
        id={id}
        ref={input}
        rows={1}
        value={value}
        aria-describedby={`${id}-hint`}
        onInput={(e) => {
          setValue(e.currentTarget.value)
          resize()
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) save(e)
          else if (e.key === 'Escape') {
            e.preventDefault()
            e.stopPropagation()
            cancel()
          }
        }}
      />
      <div class="editor-row">
        <span id={`${id}-hint`} class="field-hint">
          Escape to cancel, Enter to save
        </span>
        <button type="button" class="ghost small" onClick={cancel}>
          Cancel
        </button>
        <button type="submit" class="primary small" disabled={value.trim() === ''}>
          Save
        </button>
      </div>
    </form>
  )
}
