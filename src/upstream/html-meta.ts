/** A small, linear-time HTML scanner for Open Graph / <title> / description; never throws on garbage. */

export interface PageMeta {
  readonly title: string | null
  readonly description: string | null
  readonly image: string | null
}

export const MAX_TITLE_CHARS = 300
export const MAX_DESCRIPTION_CHARS = 1000

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  deg: '°',
  times: '×',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
}

function codePointToString(codePoint: number): string {
  // Surrogates, out-of-range and NUL become U+FFFD, as the HTML spec does.
  const valid =
    Number.isInteger(codePoint) &&
    codePoint > 0 &&
    codePoint <= 0x10ffff &&
    !(codePoint >= 0xd800 && codePoint <= 0xdfff)
  return String.fromCodePoint(valid ? codePoint : 0xfffd)
}

/** Decodes numeric (&#39; &#x27;) and common named entities; unknown ones are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
    (m, body: string) => {
      if (body.startsWith('#')) {
        const hex = body[1] === 'x' || body[1] === 'X'
        return codePointToString(parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10))
      }
      return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? m
    },
  )
}

/** Collapses whitespace, strips control characters and caps the length (by code point). */
export function cleanText(raw: string, maxChars: number): string | null {
  const text = decodeEntities(raw)
    // eslint-disable-next-line no-control-regex -- stripping C0/C1 controls is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (text === '') return null
  const chars = Array.from(text)
  return chars.length <= maxChars ? text : chars.slice(0, maxChars - 1).join('') + '…'
}

/** Parses a tag's attributes starting after its name; returns them and the index after '>'. */
function readAttributes(html: string, start: number): { attrs: Map<string, string>; end: number } {
  const attrs = new Map<string, string>()
  let i = start
  const n = html.length
  while (i < n) {
    while (i < n && /[\s/]/.test(html[i] ?? '')) i++
    if (i >= n) break
    if (html[i] === '>') return { attrs, end: i + 1 }
    const nameStart = i
    while (i < n && !/[\s/>=]/.test(html[i] ?? '')) i++
    const name = html.slice(nameStart, i).toLowerCase()
    while (i < n && /\s/.test(html[i] ?? '')) i++
    let value = ''
    if (html[i] === '=') {
      i++
      while (i < n && /\s/.test(html[i] ?? '')) i++
      const quote = html[i]
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1)
        const stop = close === -1 ? n : close
        value = html.slice(i + 1, stop)
        i = stop + 1
      } else {
        const valueStart = i
        while (i < n && !/[\s>]/.test(html[i] ?? '')) i++
        value = html.slice(valueStart, i)
      }
    }
    if (name !== '' && !attrs.has(name)) attrs.set(name, value)
  }
  return { attrs, end: n }
}

/** Resolves an image reference against the page URL; only http(s) results are kept. */
function absoluteHttpUrl(ref: string, baseUrl: string): string | null {
  try {
    const url = new URL(decodeEntities(ref.trim()), baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.href.length <= 2048 ? url.href : null
  } catch {
    return null
  }
}

/** Extracts og:title/og:description/og:image, falling back to <title> and meta description. */
export function parsePageMeta(html: string, baseUrl: string): PageMeta {
  try {
    return scan(html, baseUrl)
  } catch {
    // The scanner is written not to throw; this is the promise made to callers regardless.
    return { title: null, description: null, image: null }
  }
}

function scan(html: string, baseUrl: string): PageMeta {
  const found = new Map<string, string>()
  let titleText: string | undefined
  const lower = html.toLowerCase()
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt === -1) break
    if (lower.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4)
      i = close === -1 ? html.length : close + 3
      continue
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt, lt + 40))
    if (!nameMatch) {
      i = lt + 1
      continue
    }
    const tag = (nameMatch[1] ?? '').toLowerCase()
    const { attrs, end } = readAttributes(html, lt + nameMatch[0].length)
    i = end
    if (tag === 'meta') {
      const key = (attrs.get('property') ?? attrs.get('name') ?? '').trim().toLowerCase()
      const content = attrs.get('content')
      if (key !== '' && content !== undefined && !found.has(key)) found.set(key, content)
    } else if (tag === 'title' && titleText === undefined) {
      const close = lower.indexOf('</title', end)
      titleText = html.slice(end, close === -1 ? Math.min(html.length, end + 2000) : close)
      i = close === -1 ? end : close
    } else if (tag === 'script' || tag === 'style' || tag === 'svg') {
      // Raw text: a '<meta' inside a script string must not count.
      const close = lower.indexOf(`</${tag}`, end)
      i = close === -1 ? html.length : close
    } else if (tag === 'body' && found.has('og:title')) {
      break // OG tags live in <head>; no need to scan a megabyte of body
    }
  }
  const pick = (...keys: string[]): string | undefined =>
    keys.map((k) => found.get(k)).find((v) => v !== undefined && v.trim() !== '')
  const title = pick('og:title', 'twitter:title') ?? titleText
  const description = pick('og:description', 'twitter:description', 'description')
  const image = pick('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image')
  return {
    title: title === undefined ? null : cleanText(title, MAX_TITLE_CHARS),
    description: description === undefined ? null : cleanText(description, MAX_DESCRIPTION_CHARS),
    image: image === undefined ? null : absoluteHttpUrl(image, baseUrl),
  }
}
