/** Origin checks shared by the WebSocket upgrade and CSRF: the server's own origin or an allowed one. */

export function isAllowedOrigin(
  origin: string,
  host: string | undefined,
  secure: boolean,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(origin)) return true
  if (!host) return false
  return origin === `${secure ? 'https' : 'http'}://${host}`
}
