/** The files waiting to go with the next message: a progress bar while each uploads, cancel or remove. */
import type { Upload } from './use-uploads.js'
import { formatSize } from './format-size.js'

interface Props {
  readonly uploads: readonly Upload[]
  readonly onRemove: (key: number) => void
}

export function AttachmentTray({ uploads, onRemove }: Props) {
  if (uploads.length === 0) return null
  return (
    <ul class="tray" aria-label="Files to send">
      {uploads.map((upload) => {
        const going = upload.file === null && upload.error === null
        const label = going ? `Cancel upload of ${upload.name}` : `Remove ${upload.name}`
        return (
          <li key={upload.key} class={upload.error ? 'tray-item failed' : 'tray-item'}>
            <span class="tray-name" title={upload.name}>
              {upload.name}
            </span>
            <span class="tray-size">{formatSize(upload.size)}</span>
            {going && (
              <progress
                max={Math.max(upload.size, 1)}
                value={upload.sent}
                aria-label={`Uploading ${upload.name}`}
              />
            )}
            {upload.error && (
              <span class="tray-error" role="alert">
                {upload.error}
              </span>
            )}
            <button
              type="button"
              class="ghost small"
              aria-label={label}
              onClick={() => onRemove(upload.key)}
            >
              {going ? 'Cancel' : '×'}
            </button>
          </li>
        )
      })}
    </ul>
  )
}
