/** A link preview card; only http(s) links, and the image through Eddy's own origin (the CSP allows no other). */
import type { LinkPreview } from '../../../src/protocol/index.js'
import { toHref } from '../linkify.js'

interface Props {
  readonly preview: LinkPreview
  /** previewImagePath(…) when the preview names an image; the image's own address is never loaded. */
  readonly imageSrc: string | null
}

export function PreviewCard({ preview, imageSrc: image }: Props) {
  const href = toHref(preview.url)
  if (!href || (!preview.title && !preview.description)) return null
  return (
    <a class="preview" href={href} target="_blank" rel="noopener noreferrer">
      {image && (
        <img
          src={image}
          alt=""
          loading="lazy"
          referrerpolicy="no-referrer"
          // The server answers 502 for an address that is not an image: show the card without it.
          onError={(event) => {
            event.currentTarget.hidden = true
          }}
        />
      )}
      <span class="preview-body">
        <span class="preview-host">{new URL(href).hostname}</span>
        {preview.title && <span class="preview-title">{preview.title}</span>}
        {preview.description && <span class="preview-description">{preview.description}</span>}
      </span>
    </a>
  )
}
