// The preview parser: Open Graph first, <title>/description fallback, entities, limits, and garbage.
import { describe, expect, it } from 'vitest'
import { decodeEntities, parsePageMeta } from '../../src/upstream/html-meta.js'

const BASE = 'https://example.com/articles/42'

describe('parsePageMeta', () => {
  it('reads Open Graph tags and absolutizes the image', () => {
    const html = `<!doctype html><html><head>
      <title>Fallback title</title>
      <meta property="og:title" content="The &quot;Real&quot; Title">
      <meta content='A description &amp; more' property='og:description' />
      <META PROPERTY=og:image CONTENT=/img/cover.png>
      <meta name="description" content="not this one">
    </head><body><meta property="og:title" content="too late"></body></html>`
    expect(parsePageMeta(html, BASE)).toEqual({
      title: 'The "Real" Title',
      description: 'A description & more',
      image: 'https://example.com/img/cover.png',
    })
  })

  it('falls back to <title> and meta description', () => {
    const html = `<html><head><title>
        Plain   page &#8212; site</title>
      <meta name="Description" content="Short &lt;summary&gt;"></head></html>`
    expect(parsePageMeta(html, BASE)).toEqual({
      title: 'Plain page — site',
      description: 'Short <summary>',
      image: null,
    })
  })

  it('ignores tags inside comments and scripts', () => {
    const html = `<head><!-- <meta property="og:title" content="commented"> -->
      <script>var s = '<meta property="og:title" content="scripted">'</script>
      <meta property="og:title" content="real"></head>`
    expect(parsePageMeta(html, BASE).title).toBe('real')
  })

  it('drops non-http image URLs', () => {
    const html = `<meta property="og:image" content="javascript:alert(1)"><title>t</title>`
    expect(parsePageMeta(html, BASE).image).toBeNull()
    const data = `<meta property="og:image" content="data:image/png;base64,AAAA">`
    expect(parsePageMeta(data, BASE).image).toBeNull()
  })

  it('caps title at 300 and description at 1000 characters', () => {
    const html = `<title>${'t'.repeat(5_000)}</title><meta name="description" content="${'d'.repeat(5_000)}">`
    const meta = parsePageMeta(html, BASE)
    expect(Array.from(meta.title ?? '').length).toBe(300)
    expect(Array.from(meta.description ?? '').length).toBe(1000)
  })

  it('never throws on garbage', () => {
    const samples = [
      '',
      '<',
      '<<<<>>>>',
      '<meta',
      '<meta property="og:title" content="unterminated',
      "<meta property='og:title' content='x",
      '<title>no end',
      '<!-- never closed',
      '<script>never closed',
      '<meta =x ==y property= content=>',
      '\u0000\uffff\ud800<meta>',
      '<meta property="og:image" content="http://[::1">',
      '&#xFFFFFFFF; &#0; &#55296; &bogus; &',
      '<' + 'a'.repeat(100_000),
      '<meta '.repeat(20_000),
    ]
    for (const html of samples) {
      expect(() => parsePageMeta(html, BASE)).not.toThrow()
    }
    const random = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919 + 13) % 256))
    expect(() => parsePageMeta(random.toString('latin1'), BASE)).not.toThrow()
  })

  it('scans a megabyte quickly', () => {
    const html = '<head><title>big</title></head><body>' + '<p class="x">hello</p>'.repeat(50_000)
    const started = performance.now()
    expect(parsePageMeta(html, BASE).title).toBe('big')
    // Guards against a quadratic scan (minutes on a megabyte), not for speed: a linear one takes
    // well under a second, a busy shared machine sometimes a little more.
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})

describe('decodeEntities', () => {
  it('decodes named, decimal and hex entities', () => {
    expect(
      decodeEntities('a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#x27; &hellip; &#x1F600;'),
    ).toBe(`a & b <c> "d" 'e' … 😀`)
  })

  it('replaces invalid code points and leaves unknown names alone', () => {
    expect(decodeEntities('&#0;&#xD800;&#x110000;')).toBe('\ufffd\ufffd\ufffd')
    expect(decodeEntities('&notanentity; & alone')).toBe('&notanentity; & alone')
  })
})
