/** Test files and uploads: small real images, raw multipart bodies, and what an upload answers. */
import { deflateSync } from 'node:zlib'
import type { FileView } from '../../src/protocol/files.js'

export const GIF_3x2 = Buffer.from(
  'R0lGODlhAwACAIAAAAAAAP///yH5BAEAAAAALAAAAAADAAIAAAIChF8AOw==',
  'base64',
)
export const JPEG_1x1 = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
)
export const WEBP_1x1 = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64')
export const HTML_PAGE = Buffer.from(
  '<!doctype html><html><body><script>fetch("/api/me").then(r=>r.text()).then(alert)</script></body></html>',
)
export const SVG_IMAGE = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
)

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A real PNG of one colour, `width` by `height` pixels. */
export function png(width: number, height: number, rgb: [number, number, number] = [200, 40, 40]) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())])
  const pixels = deflateSync(Buffer.concat(Array<Buffer>(height).fill(row)))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

export interface Part {
  readonly name: string
  /** A file part when given (sent as is: quotes and all). */
  readonly filename?: string
  /** RFC 5987 form, already encoded: `UTF-8''a%0Ab.txt`. */
  readonly filenameStar?: string
  readonly type?: string
  readonly data: Buffer | string
}

/** A multipart/form-data body written by hand, so a test controls every header byte. */
export function multipart(parts: readonly Part[]): { body: Buffer; contentType: string } {
  const boundary = `----eddy${Math.random().toString(36).slice(2)}`
  const pieces: Buffer[] = []
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`
    if (part.filename !== undefined) disposition += `; filename="${part.filename}"`
    if (part.filenameStar !== undefined) disposition += `; filename*=${part.filenameStar}`
    const headers = [`Content-Disposition: ${disposition}`]
    if (part.type !== undefined) headers.push(`Content-Type: ${part.type}`)
    pieces.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'))
    pieces.push(typeof part.data === 'string' ? Buffer.from(part.data) : part.data)
    pieces.push(Buffer.from('\r\n'))
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` }
}

export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers: Headers
}

/** POSTs a multipart body to the room's files. */
export async function postParts(
  baseUrl: string,
  token: string,
  room: string,
  parts: readonly Part[],
): Promise<Answer> {
  const { body, contentType } = multipart(parts)
  const response = await fetch(`${baseUrl}/api/rooms/${room}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  })
  const text = await response.text()
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  }
}

/** Uploads one file in the `file` field; the client's declared type is irrelevant to the server. */
export async function upload(
  baseUrl: string,
  token: string,
  room: string,
  filename: string,
  data: Buffer | string,
  type = 'application/octet-stream',
): Promise<Answer> {
  return postParts(baseUrl, token, room, [{ name: 'file', filename, type, data }])
}

/** Uploads and expects 201; the file object. */
export async function uploaded(
  baseUrl: string,
  token: string,
  room: string,
  filename: string,
  data: Buffer | string,
): Promise<FileView> {
  const answer = await upload(baseUrl, token, room, filename, data)
  if (answer.status !== 201) {
    throw new Error(`upload failed: ${answer.status} ${JSON.stringify(answer.body)}`)
  }
  return (answer.body as { file: FileView }).file
}

/** GETs a file's url; the bytes and headers. */
export async function download(
  baseUrl: string,
  token: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(baseUrl + url, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  })
  return {
    status: response.status,
    bytes: Buffer.from(await response.arrayBuffer()),
    headers: response.headers,
  }
}
