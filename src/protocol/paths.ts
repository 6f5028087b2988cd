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
