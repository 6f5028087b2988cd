/** A link preview card; only http(s) links and https images (the CSP allows no others). */
import type { LinkPreview } from '../../../src/protocol/index.js'
import { toHref } from '../linkify.js'

export function PreviewCard({ preview }: { preview: LinkPreview }) {
  const href = toHref(preview.url)
  if (!href || (!preview.title && !preview.description)) return null
  const image = preview.image && /^https:\/\//i.test(preview.image) ? preview.image : null
  return (
    <a class="preview" href={href} target="_blank" rel="noopener noreferrer">
      {image && <img src={image} alt="" loading="lazy" referrerpolicy="no-referrer" />}
      <span class="preview-body">
        <span class="preview-host">{new URL(href).hostname}</span>
        {preview.title && <span class="preview-title">{preview.title}</span>}
        {preview.description && <span class="preview-description">{preview.description}</span>}
      </span>
    </a>
  )
}
