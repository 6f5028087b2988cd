/** A message's files: images as thumbnails sized before they load (a click opens the viewer), anything else as a card with a download link. */
import { useState } from 'preact/hooks'
import { type FileView, isInlineImage } from '../../../src/protocol/index.js'
import { formatSize } from './format-size.js'
import { ImageViewer } from './ImageViewer.js'

interface Props {
  readonly files: readonly FileView[]
}

/** The thumbnail's box; an image is scaled down to fit, never up. */
const THUMB_MAX_WIDTH = 320
const THUMB_MAX_HEIGHT = 240

/** Width and height attributes that reserve the thumbnail's space before a byte arrives. */
export function thumbSize(file: FileView): { width: number; height: number } {
  const width = file.width ?? THUMB_MAX_WIDTH
  const height = file.height ?? THUMB_MAX_HEIGHT
  const scale = Math.min(1, THUMB_MAX_WIDTH / width, THUMB_MAX_HEIGHT / height)
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  }
}

export function Attachments({ files }: Props) {
  const [viewing, setViewing] = useState<FileView | null>(null)
  return (
    <div class="attachments">
      {files.map((file) =>
        isInlineImage(file.type) ? (
          <button
            key={file.id}
            type="button"
            class="thumb"
            aria-label={`View image ${file.name}`}
            onClick={() => setViewing(file)}
          >
            <img src={file.url} alt={file.name} loading="lazy" {...thumbSize(file)} />
          </button>
        ) : (
          <div key={file.id} class="file-card">
            <span class="file-icon" aria-hidden="true">
              📄
            </span>
            <span class="file-body">
              <span class="file-name" title={file.name}>
                {file.name}
              </span>
              <span class="file-size">{formatSize(file.size)}</span>
            </span>
            <a href={file.url} download={file.name} aria-label={`Download ${file.name}`}>
              Download
            </a>
          </div>
        ),
      )}
      {viewing && <ImageViewer file={viewing} onClose={() => setViewing(null)} />}
    </div>
  )
}
