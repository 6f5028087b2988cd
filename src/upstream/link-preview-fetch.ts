/** Link previews: find URLs in a chat message and fetch one page's Open Graph card through the guarded client. */
import type { LinkPreview } from '../protocol/frames.js'
import type { HttpClient } from './http-client.js'
import { parsePageMeta } from './html-meta.js'

export const MAX_URLS_PER_MESSAGE = 3
const MAX_URL_CHARS = 2048

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi
const TRAILING_PUNCTUATION = '.,;:!?]}\'"»”’'

function count(text: string, char: string): number {
  return text.split(char).length - 1
}

/** Trailing punctuation belongs to the sentence ("see https://x.org/a."), a balanced ")" to the URL. */
function trimTrailing(candidate: string): string {
  let out = candidate
  while (out.length > 0) {
    const last = out.charAt(out.length - 1)
    if (last === ')') {
      if (count(out, '(') >= count(out, ')')) break
    } else if (!TRAILING_PUNCTUATION.includes(last)) break
    out = out.slice(0, -1)
  }
  return out
}

/** The first three distinct http(s) URLs in the text, trailing punctuation trimmed. */
export function extractUrls(text: string): string[] {
  const urls: string[] = []
  for (const match of text.matchAll(URL_PATTERN)) {
    const candidate = trimTrailing(match[0])
    if (candidate.length > MAX_URL_CHARS) continue
    let href: string
    try {
      const url = new URL(candidate)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue
      if (url.username !== '' || url.password !== '') continue // no credentials in previews
      href = url.href
    } catch {
      continue
    }
    if (!urls.includes(href)) urls.push(href)
    if (urls.length >= MAX_URLS_PER_MESSAGE) break
  }
  return urls
}

export interface FetchPreviewOptions {
  readonly timeoutMs?: number
  readonly maxBodyBytes?: number
  readonly maxRedirects?: number
  readonly signal?: AbortSignal
}

function isHtml(contentType: string): boolean {
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return mime === 'text/html' || mime === 'application/xhtml+xml'
}

function decodeBody(body: Buffer, contentType: string): string {
  const declared = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1]
  // Without a header charset, peek at <meta charset> in the first KiB, as browsers do.
  const sniffed = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(
    body.subarray(0, 1024).toString('latin1'),
  )?.[1]
  const label = declared ?? sniffed ?? 'utf-8'
  try {
    return new TextDecoder(label).decode(body)
  } catch {
    return new TextDecoder('utf-8').decode(body)
  }
}

/**
 * One page's preview, or null when it is not HTML, has nothing to show, or fails in any way
 * (timeouts, SSRF refusals, 4xx/5xx, oversize): a preview is decoration and never an error.
 */
export async function fetchPreview(
  client: HttpClient,
  url: string,
  options: FetchPreviewOptions = {},
): Promise<LinkPreview | null> {
  try {
    const res = await client.request(url, {
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' },
      timeoutMs: options.timeoutMs ?? 5_000,
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      maxRedirects: options.maxRedirects ?? 3,
      acceptContentType: isHtml,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const meta = parsePageMeta(decodeBody(res.body, res.headers['content-type'] ?? ''), res.url)
    if (meta.title === null && meta.description === null && meta.image === null) return null
    return { url, ...meta }
  } catch {
    return null
  }
}
