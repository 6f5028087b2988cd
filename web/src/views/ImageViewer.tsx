/** An image at full size in a modal dialog: focus moves in and back, Escape or Close ends it. */
import { useEffect, useRef } from 'preact/hooks'
import type { FileView } from '../../../src/protocol/index.js'

interface Props {
  readonly file: FileView
  readonly onClose: () => void
}

export function ImageViewer({ file, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const el = dialog.current
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    // showModal makes the page behind inert and lets Escape close the dialog.
    el?.showModal()
    return () => {
      if (el?.open) el.close()
      opener?.focus()
    }
  }, [])
  return (
    <dialog
      ref={dialog}
      class="viewer"
      aria-labelledby="viewer-title"
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop (the dialog itself, outside its content) closes it.
        if (event.target === event.currentTarget) onClose()
      }}
    >
      <div class="viewer-bar">
        <h2 id="viewer-title" class="viewer-title">
          {file.name}
        </h2>
        <a class="button ghost small" href={file.url} download={file.name}>
          Download
        </a>
        <button type="button" class="ghost small" onClick={onClose} autofocus>
          Close
        </button>
      </div>
      <img
        src={file.url}
        alt={file.name}
        {...(file.width && file.height ? { width: file.width, height: file.height } : {})}
      />
    </dialog>
  )
}
