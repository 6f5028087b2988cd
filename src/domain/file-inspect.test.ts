import { describe, expect, it } from 'vitest'
import { inspectFile } from './file-inspect.js'

const PNG_2x3 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEklEQVR42mP8z8DwnwEKGBkYAD0NA/9DpJpZAAAAAElFTkSuQmCC',
  'base64',
)

describe('inspectFile: the type from the bytes', () => {
  it('measures the images shown inline', async () => {
    expect(await inspectFile(PNG_2x3)).toEqual({ type: 'image/png', width: 2, height: 3 })
  })

  it.each([
    ['<!doctype html><p>hi', 'text/html'],
    ['\uFEFF  <html><script>alert(1)</script>', 'text/html'],
    ['<body onload=alert(1)>', 'text/html'],
    ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
    ['<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', 'image/svg+xml'],
    ['<?xml version="1.0"?><note/>', 'application/xml'],
    ['just words, 电影', 'text/plain'],
    ['%PDF-1.4\n', 'application/pdf'],
  ])('%j is %s, without dimensions', async (text, type) => {
    expect(await inspectFile(Buffer.from(text))).toEqual({ type, width: null, height: null })
  })

  it('calls binary noise and empty files application/octet-stream', async () => {
    const noise = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x10, 0x80, 0x00])
    expect((await inspectFile(noise)).type).toBe('application/octet-stream')
    expect((await inspectFile(Buffer.alloc(0))).type).toBe('application/octet-stream')
  })

  it('an image whose header is cut short keeps its type and has no dimensions', async () => {
    const cut = PNG_2x3.subarray(0, 12)
    const inspected = await inspectFile(cut)
    expect(inspected.width).toBeNull()
  })
})
