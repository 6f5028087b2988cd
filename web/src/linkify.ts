/**
 * Splits message text into plain text and http(s) links, so views can build <a> elements and
 * never touch innerHTML. Pure, so it is unit tested without a browser.
 */
export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string }

// Scheme URLs and bare www. hosts; anything else (javascript:, data:) stays text.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+|\bwww\.[^\s<>"]+/gi
// Sentence punctuation right after a URL belongs to the sentence, not the link.
const TRAILING = /[.,!?:;'"*_~]+$/

export function linkify(text: string): Segment[] {
  const segments: Segment[] = []
  let last = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index
    const url = trimUrl(match[0])
    const href = toHref(url)
    if (href === null) continue
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) })
    segments.push({ kind: 'link', text: url, href })
    last = start + url.length
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) })
  return segments
}

// The same URLs, anchored: what the markdown parser asks at a position where a URL may begin.
const LEADING_URL = /^(?:https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)/i

/** The URL (trimmed like `linkify`'s) at the very start of `text`, with its href, if any. */
export function leadingUrl(text: string): { readonly text: string; readonly href: string } | null {
  const match = LEADING_URL.exec(text)
  if (!match) return null
  const url = trimUrl(match[0])
  const href = toHref(url)
  return href === null || url === '' ? null : { text: url, href }
}

function trimUrl(raw: string): string {
  let url = raw
  for (;;) {
    const before = url
    url = url.replace(TRAILING, '')
    // A closing bracket with no opening one inside the URL is the sentence's: "(see http://x.io)".
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ] as const) {
      if (url.endsWith(close) && count(url, open) < count(url, close)) url = url.slice(0, -1)
    }
    if (url === before) return url
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1
}

/** The href for a matched URL, or null when it does not parse as http(s). */
export function toHref(url: string): string | null {
  const candidate = /^https?:\/\//i.test(url) ? url : `https://${url}`
  try {
    const parsed = new URL(candidate)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null
    return parsed.href
  } catch {
    return null
  }
}
