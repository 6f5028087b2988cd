/**
 * What an upload is, from its first bytes, never from its name or the client's word: file-type's
 * magic numbers for binary formats, a small look at text for what file-type leaves out (HTML,
 * SVG, plain text), and image-size for the dimensions of the images Eddy shows inline.
 */
import { fileTypeFromBuffer } from 'file-type'
import { imageSize } from 'image-size'
import { isInlineImage } from '../protocol/paths.js'

/** How much of an upload's start is kept to inspect it: enough for a JPEG's frame header behind large EXIF blocks. */
export const HEAD_BYTES = 512 * 1024

export interface Inspected {
  readonly type: string
  readonly width: number | null
  readonly height: number | null
}

const MAX_DIMENSION = 100_000

export async function inspectFile(head: Uint8Array): Promise<Inspected> {
  const found = await fileTypeFromBuffer(head)
  // file-type calls any XML application/xml; an SVG inside one is named as such.
  const type = found !== undefined && found.mime !== 'application/xml' ? found.mime : textType(head)
  if (!isInlineImage(type)) return { type, width: null, height: null }
  return { type, ...dimensions(head) }
}

function dimensions(head: Uint8Array): { width: number | null; height: number | null } {
  try {
    const size = imageSize(head)
    const { width, height } = size
    if (!valid(width) || !valid(height)) return { width: null, height: null }
    // EXIF orientations 5-8 turn the picture a quarter: browsers show it height by width.
    const turned = (size.orientation ?? 1) >= 5
    return turned ? { width: height, height: width } : { width, height }
  } catch {
    // A truncated or unusual header: the image is still served, sized when it loads.
    return { width: null, height: null }
  }
}

function valid(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION
}

/**
 * Formats file-type does not claim. Markup is named for what a browser would do with it (HTML,
 * SVG), so it is stored as what it is; the serving rules never render either from our origin.
 */
function textType(head: Uint8Array): string {
  if (head.length === 0) return 'application/octet-stream'
  const sample = Buffer.from(head.subarray(0, 4096))
  if (sample.includes(0)) return 'application/octet-stream'
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(sample)
    .replace(/^\uFEFF/, '')
    .toLowerCase()
  if (/<svg[\s>]/.test(text)) return 'image/svg+xml'
  if (/<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>]|<iframe[\s>]/.test(text)) {
    return 'text/html'
  }
  if (/^\s*<\?xml[\s?]/.test(text)) return 'application/xml'
  return isUtf8Text(head) ? 'text/plain' : 'application/octet-stream'
}

/** Valid UTF-8 (a character cut at the sample's end is fine) without control bytes. */
function isUtf8Text(head: Uint8Array): boolean {
  const sample = Buffer.from(head.subarray(0, 4096))
  // eslint-disable-next-line no-control-regex -- binary data shows as C0 controls
  if (/[\u0000-\u0008\u000E-\u001F]/.test(sample.toString('latin1'))) return false
  for (let cut = 0; cut < 4 && cut < sample.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut))
      return true
    } catch {
      continue
    }
  }
  return false
}
