/** Uploaded files' names made safe to store, show and offer as a download name. */

/** Code points a name keeps; the extension survives a cut. */
export const MAX_FILE_NAME_CHARS = 120
const MAX_EXTENSION_CHARS = 16

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g
/** Bidi embeddings, overrides and isolates: `\u202Egnp.exe` displays as "exe.png". */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g
const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * The client's filename reduced to a plain name: no directory part (`../../etc/passwd` is
 * `passwd`, `C:\\x\\y.txt` is `y.txt`), no NUL, line breaks or other controls, no bidi controls,
 * no leading dots (hidden files) or trailing dots and spaces, at most MAX_FILE_NAME_CHARS code
 * points with the extension kept; `file` when nothing is left.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).at(-1) ?? ''
  const cleaned = base
    .normalize('NFC')
    .replace(UNPAIRED, '')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+/u, '')
    .replace(/[\s.]+$/u, '')
  const name = shorten(cleaned)
  return name === '' ? 'file' : name
}

function shorten(name: string): string {
  const chars = [...name]
  if (chars.length <= MAX_FILE_NAME_CHARS) return name
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 ? [...name.slice(dot)] : []
  if (extension.length > 1 && extension.length <= MAX_EXTENSION_CHARS) {
    const stem = [...name.slice(0, dot)].slice(0, MAX_FILE_NAME_CHARS - extension.length)
    return stem.join('').trimEnd() + extension.join('')
  }
  return chars.slice(0, MAX_FILE_NAME_CHARS).join('').trimEnd()
}
