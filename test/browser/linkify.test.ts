import { describe, expect, test } from 'vitest'
import { linkify } from '../../web/src/linkify.js'

describe('linkify', () => {
  test('plain text stays one text segment, HTML included', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)>' },
    ])
  })

  test('finds http(s) and www links and leaves trailing punctuation outside', () => {
    expect(linkify('see https://example.com/a?b=1. and www.eddy.chat!')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. and ' },
      { kind: 'link', text: 'www.eddy.chat', href: 'https://www.eddy.chat/' },
      { kind: 'text', text: '!' },
    ])
  })

  test('balances brackets: a wiki URL keeps its ), a parenthesised URL loses it', () => {
    expect(linkify('(http://x.io/a)')[1]).toEqual({
      kind: 'link',
      text: 'http://x.io/a',
      href: 'http://x.io/a',
    })
    expect(linkify('https://en.wikipedia.org/wiki/Eddy_(fluid)')[0]).toMatchObject({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Eddy_(fluid)',
    })
  })

  test('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.io']) {
      expect(linkify(text).every((s) => s.kind === 'text')).toBe(true)
    }
  })

  test('segments join back to the original text', () => {
    const text = 'a https://a.io b http://b.io/c, www.c.io'
    expect(
      linkify(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(text)
  })
})
