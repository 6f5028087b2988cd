/**
 * URL paths both ends build. No zod here: the web client's bundle takes only what it uses from
 * the protocol (web/vite.config.ts), and the schemas would bring zod along.
 */

/**
 * Where a client loads a preview's image: from Eddy's own origin, which fetches it through the
 * SSRF guard. A preview's `image` field is the original address, for information only: the page
 * CSP (img-src 'self' data:) refuses it (docs/protocol.md).
 */
export function previewImagePath(room: string, seq: number, pageUrl: string): string {
  const query = new URLSearchParams({ url: pageUrl }).toString()
  return `/api/rooms/${encodeURIComponent(room)}/messages/${seq}/previews/image?${query}`
}

/** Where an uploaded file is downloaded: under its room, so the room's access rule answers first. */
export function fileUrl(room: string, id: string): string {
  return `/api/rooms/${encodeURIComponent(room)}/files/${id}`
}

/** The multipart field an upload's bytes travel in. */
export const UPLOAD_FIELD = 'file'

/** The only types a file is served inline as (with that type); anything else is a download. */
export const INLINE_IMAGE_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
]

export function isInlineImage(type: string): boolean {
  return INLINE_IMAGE_TYPES.includes(type)
}
