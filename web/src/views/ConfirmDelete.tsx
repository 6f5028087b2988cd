/** "Delete this message?": a modal <dialog> (focus kept inside, Escape cancels), Cancel focused first. */
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { ShownMessage } from '../state/message-changes.js'
import { ReplyQuote } from './ReplyQuote.js'

interface Props {
  readonly message: ShownMessage
  readonly mine: boolean
  readonly onConfirm: () => void
  /** The dialog closed (deleted, cancelled or Escape). */
  readonly onClose: () => void
}

export function ConfirmDelete({ message, mine, onConfirm, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null)
  useLayoutEffect(() => {
    const el = dialog.current
    if (el && !el.open) el.showModal()
  }, [])
  const close = () => dialog.current?.close()
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-what"
      onClose={onClose}
    >
      <h2 id="confirm-title">Delete this message?</h2>
      <ReplyQuote quote={{ user: message.user, text: message.text, deleted: false }} />
      <p id="confirm-what">
        {mine ? 'It' : `${message.user}'s message`} will be gone for everyone, for good.
      </p>
      <div class="confirm-row">
        <button type="button" class="secondary" autoFocus onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            onConfirm()
            close()
          }}
        >
          Delete
        </button>
      </div>
    </dialog>
  )
}
