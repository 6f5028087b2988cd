import { describe, expect, test } from 'vitest'
import {
  type MdBlock,
  type MdInline,
  type MentionContext,
  parseMarkdown,
  plainText,
  safeHref,
} from './markdown.js'

const none: MentionContext = { mentions: [], me: 'reader' }
const md = (text: string, context = none) => parseMarkdown(text, context)
/** The inline content of a one-paragraph message. */
function inline(text: string, context = none): readonly MdInline[] {
  const blocks = md(text, context)
  expect(blocks).toHaveLength(1)
  const [block] = blocks
  if (block?.kind !== 'p') throw new Error(`expected a paragraph, got ${JSON.stringify(blocks)}`)
  return block.children
}
const t = (text: string): MdInline => ({ kind: 'text', text })

/** Every link in the tree, with its visible text. */
function links(blocks: readonly MdBlock[]): { href: string; text: string }[] {
  const found: { href: string; text: string }[] = []
  const walkInline = (node: MdInline): void => {
    if (node.kind === 'link')
      found.push({ href: node.href, text: plainText([{ kind: 'p', children: node.children }]) })
    if ('children' in node) node.children.forEach(walkInline)
  }
  const walk = (block: MdBlock): void => {
    if (block.kind === 'p' || block.kind === 'inline') block.children.forEach(walkInline)
    if (block.kind === 'quote') block.children.forEach(walk)
    if (block.kind === 'list') block.items.forEach((item) => item.forEach(walk))
  }
  blocks.forEach(walk)
  return found
}

describe('markdown: what chat formats', () => {
  test('bold, italic, strike and inline code', () => {
    expect(inline('**bold** *it* _it2_ ~~gone~~ `a<b>`')).toEqual([
      { kind: 'strong', children: [t('bold')] },
      t(' '),
      { kind: 'em', children: [t('it')] },
      t(' '),
      { kind: 'em', children: [t('it2')] },
      t(' '),
      { kind: 'del', children: [t('gone')] },
      t(' '),
      { kind: 'code', text: 'a<b>' },
    ])
  })

  test('a fenced code block keeps its text exactly, markup and HTML included', () => {
    expect(md('```js\nconst a = "<b>**x**</b>"\n  indented\n```')).toEqual([
      { kind: 'pre', text: 'const a = "<b>**x**</b>"\n  indented' },
    ])
  })

  test('block quotes, bullet and numbered lists', () => {
    expect(md('> quoted *words*\n\n- one\n- two\n\n3. three\n4. four')).toEqual([
      {
        kind: 'quote',
        children: [{ kind: 'p', children: [t('quoted '), { kind: 'em', children: [t('words')] }] }],
      },
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          [{ kind: 'inline', children: [t('one')] }],
          [{ kind: 'inline', children: [t('two')] }],
        ],
      },
      {
        kind: 'list',
        ordered: true,
        start: 3,
        items: [
          [{ kind: 'inline', children: [t('three')] }],
          [{ kind: 'inline', children: [t('four')] }],
        ],
      },
    ])
  })

  test('a single newline is a line break, as people type in chat', () => {
    expect(inline('one\ntwo')).toEqual([t('one'), { kind: 'br' }, t('two')])
  })

  test('what chat does not format stays as typed: headings, rules, tables, definitions, indented text', () => {
    expect(plainText(md('# not a title'))).toBe('# not a title')
    expect(plainText(md('title\n---'))).toContain('---')
    expect(plainText(md('a | b\n--|--\n1 | 2'))).toContain('a | b')
    expect(plainText(md('[x]: https://example.com'))).toBe('[x]: https://example.com')
    expect(md('    four spaces')[0]?.kind).toBe('p')
  })

  test('task list boxes are text, not form controls', () => {
    expect(plainText(md('- [ ] todo\n- [x] done'))).toBe('[ ] todo\n[x] done')
  })

  test('backslash escapes show the character', () => {
    expect(inline('\\*not italic\\*')).toEqual([t('*'), t('not italic'), t('*')])
  })
})

describe('markdown: links', () => {
  test('bare URLs link exactly as linkify did (trailing punctuation stays out, www. gets https)', () => {
    expect(links(md('docs at https://example.com/docs. and www.example.org!'))).toEqual([
      { href: 'https://example.com/docs', text: 'https://example.com/docs' },
      { href: 'https://www.example.org/', text: 'www.example.org' },
    ])
  })

  test('markup characters inside a bare URL are part of the URL', () => {
    expect(links(md('see https://example.com/a*b*c_d_'))).toEqual([
      { href: 'https://example.com/a*b*c_d', text: 'https://example.com/a*b*c_d' },
    ])
  })

  test('[text](url) and <url> links, http(s) and mailto', () => {
    expect(
      links(
        md('[the **docs**](https://example.com/x) <https://a.example> [mail](mailto:a@b.example)'),
      ),
    ).toEqual([
      { href: 'https://example.com/x', text: 'the docs' },
      { href: 'https://a.example/', text: 'https://a.example' },
      { href: 'mailto:a@b.example', text: 'mail' },
    ])
  })

  test.each([
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x]( javascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](vbscript:msgbox(1))',
    '[x](/relative/path)',
    '[x](file:///etc/passwd)',
    '<javascript:alert(1)>',
    '![x](javascript:alert(1))',
    '![x](data:image/png;base64,AAAA)',
  ])('%s is plain text, never a link', (text) => {
    const blocks = md(text)
    expect(links(blocks)).toEqual([])
    expect(plainText(blocks)).toContain(
      text.includes('<javascript') ? 'javascript:alert(1)' : text.slice(0, 3),
    )
  })

  test('an unsafe link shows what was typed', () => {
    expect(inline('[x](javascript:alert(1))')).toEqual([t('[x](javascript:alert(1))')])
  })

  test('an image is a link to the picture (its alt text, or its address), never an image', () => {
    expect(
      links(md('![a cat](https://example.com/cat.png) ![](https://example.com/dog.png)')),
    ).toEqual([
      { href: 'https://example.com/cat.png', text: 'a cat' },
      { href: 'https://example.com/dog.png', text: 'https://example.com/dog.png' },
    ])
  })

  test('safeHref: only absolute http, https and mailto', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/')
    expect(safeHref('mailto:x@example.com')).toBe('mailto:x@example.com')
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:1',
      'data:text/html,x',
      'vbscript:x',
      '//evil.example',
      'ftp://x',
    ])
      expect(safeHref(bad)).toBeNull()
  })
})

describe('markdown: raw HTML is text', () => {
  test.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="//evil.example"></iframe>',
    '<div onclick="alert(1)">hi</div>',
    'a <b onmouseover=alert(1)>b</b> c',
  ])('%s shows as typed', (text) => {
    const blocks = md(text)
    expect(plainText(blocks)).toBe(text)
    expect(links(blocks)).toEqual([])
  })

  test('HTML across lines stays text too', () => {
    expect(plainText(md('<div>\n<script>alert(1)</script>\n</div>'))).toBe(
      '<div>\n<script>alert(1)</script>\n</div>',
    )
  })
})

describe('markdown: mentions', () => {
  const bob = { mentions: ['bob', 'Ann'], me: 'bob' }

  test('the names the server resolved are marked, mine apart', () => {
    expect(inline('hi @bob and @ann, not @carol', bob)).toEqual([
      t('hi '),
      { kind: 'mention', text: '@bob', me: true },
      t(' and '),
      { kind: 'mention', text: '@ann', me: false },
      t(', not @carol'),
    ])
  })

  test('a sentence-ending dot is not part of the name; an address is no mention', () => {
    expect(inline('thanks @bob. mail bob@bob.example', bob)).toEqual([
      t('thanks '),
      { kind: 'mention', text: '@bob', me: true },
      t('. mail bob@bob.example'),
    ])
  })

  test('@room is a mention of everyone, only when the server resolved it', () => {
    expect(inline('@room lunch', { mentions: ['@room'], me: 'x' })).toEqual([
      { kind: 'mention', text: '@room', me: true },
      t(' lunch'),
    ])
    expect(inline('@room lunch', none)).toEqual([t('@room lunch')])
  })

  test('no mention inside code; a link keeps its target', () => {
    expect(inline('`@bob` [@bob](https://example.com)', bob)).toEqual([
      { kind: 'code', text: '@bob' },
      t(' '),
      {
        kind: 'link',
        href: 'https://example.com/',
        children: [{ kind: 'mention', text: '@bob', me: true }],
      },
    ])
  })
})
