import { describe, expect, it } from 'vitest'
import { MAX_FILE_NAME_CHARS, safeFileName } from './file-names.js'

describe('safeFileName', () => {
  it.each([
    ['photo.png', 'photo.png'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['/abs/path/x.txt', 'x.txt'],
    ['a\u0000b.txt', 'ab.txt'],
    ['evil\r\nX-Injected: 1.txt', 'evilX-Injected: 1.txt'],
    ['line\nbreak.txt', 'linebreak.txt'],
    ['\u202Egnp.exe', 'gnp.exe'],
    ['bell\u0007\u009b.txt', 'bell.txt'],
    ['  many   spaces  .txt  ', 'many spaces .txt'],
    ['.hidden', 'hidden'],
    ['trailing. . .', 'trailing'],
    ['..', 'file'],
    ['', 'file'],
    ['\u0000\u0001', 'file'],
    ['bad\uD800surrogate.txt', 'badsurrogate.txt'],
    ['电影 📷.png', '电影 📷.png'],
    ['Cafe\u0301.txt', 'Café.txt'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe)
  })

  it('keeps at most MAX_FILE_NAME_CHARS code points, the extension kept, no pair split', () => {
    const long = safeFileName(`${'📷'.repeat(200)}.jpeg`)
    expect([...long]).toHaveLength(MAX_FILE_NAME_CHARS)
    expect(long.endsWith('📷.jpeg')).toBe(true)
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(long)).toBe(false)
    // An "extension" too long to be one is cut like the rest.
    const odd = safeFileName(`a.${'b'.repeat(300)}`)
    expect([...odd]).toHaveLength(MAX_FILE_NAME_CHARS)
  })
})
