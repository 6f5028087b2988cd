/**
 * Message markdown as a small tree of plain data: marked's lexer tokenizes, this walks the tokens
 * and keeps only what chat needs (bold, italic, strike, inline code, fenced code, links, block
 * quotes, lists, line breaks). No HTML is ever produced or kept: raw HTML is text, links keep only
 * http(s) and mailto targets, images become links. views/MessageText.tsx turns the tree into
 * Preact elements. Pure, so the safety rules are unit tested without a browser.
 */
import { Lexer, type Token, Tokenizer, type Tokens } from 'marked'
import { leadingUrl } from './linkify.js'

export type MdInline =
  | { readonly kind: 'text'; readonly text: string }
  /** `@name` the server resolved for this message; `me` when it names the reader (or is @room). */
  | { readonly kind: 'mention'; readonly text: string; readonly me: boolean }
  | { readonly kind: 'link'; readonly href: string; readonly children: readonly MdInline[] }
  | { readonly kind: 'strong' | 'em' | 'del'; readonly children: readonly MdInline[] }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'br' }

export type MdBlock =
  | { readonly kind: 'p'; readonly children: readonly MdInline[] }
  /** A tight list item's text: inline content without a paragraph around it. */
  | { readonly kind: 'inline'; readonly children: readonly MdInline[] }
  | { readonly kind: 'pre'; readonly text: string }
  | { readonly kind: 'quote'; readonly children: readonly MdBlock[] }
  | {
      readonly kind: 'list'
      readonly ordered: boolean
      readonly start: number
      readonly items: readonly (readonly MdBlock[])[]
    }

export interface MentionContext {
  /** The message's mentions as the server resolved them (usernames, and "@room"). */
  readonly mentions: readonly string[]
  /** The reader's username. */
  readonly me: string
}

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:'])

/** The href to put on a link, or null when the target is not an absolute http(s)/mailto URL. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw)
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null
  } catch {
    return null
  }
}

/**
 * Marked's tokenizer with what chat does not want switched off (a tokenizer answering undefined
 * lets the text through as a paragraph or plain text): headings ("#1 thing" is not a title),
 * rules, tables, indented code, link definitions (they would make text vanish) and raw HTML.
 * Bare URLs are found by linkify.ts, so they link exactly as before markdown came.
 */
class ChatTokenizer extends Tokenizer {
  override heading(): undefined {
    return undefined
  }
  override lheading(): undefined {
    return undefined
  }
  override hr(): undefined {
    return undefined
  }
  override table(): undefined {
    return undefined
  }
  override code(): undefined {
    return undefined
  }
  override def(): undefined {
    return undefined
  }
  override html(): undefined {
    return undefined
  }
  override tag(): undefined {
    return undefined
  }
  override url(src: string): Tokens.Link | undefined {
    const found = leadingUrl(src)
    if (!found) return undefined
    const text: Tokens.Text = { type: 'text', raw: found.text, text: found.text }
    return {
      type: 'link',
      raw: found.text,
      href: found.href,
      title: null,
      text: found.text,
      tokens: [text],
    }
  }
}

// One lexer configuration for every message; a Lexer instance holds per-parse state, so each
// parse makes its own (cheap: no regex compilation).
const OPTIONS = { gfm: true, breaks: true, tokenizer: new ChatTokenizer() }

export function parseMarkdown(text: string, context: MentionContext): MdBlock[] {
  return blocks(new Lexer(OPTIONS).lex(text), context)
}

function blocks(tokens: readonly Token[], context: MentionContext): MdBlock[] {
  const out: MdBlock[] = []
  for (const token of tokens) {
    const block = toBlock(token, context)
    if (block) out.push(block)
  }
  return out
}

function toBlock(token: Token, context: MentionContext): MdBlock | null {
  switch (token.type) {
    case 'space':
      return null
    case 'code':
      return { kind: 'pre', text: token.text as string }
    case 'blockquote':
      return { kind: 'quote', children: blocks((token as Tokens.Blockquote).tokens, context) }
    case 'list': {
      const list = token as Tokens.List
      return {
        kind: 'list',
        ordered: list.ordered,
        start: typeof list.start === 'number' ? list.start : 1,
        items: list.items.map((item) => listItem(item, context)),
      }
    }
    case 'paragraph':
      return { kind: 'p', children: inlines((token as Tokens.Paragraph).tokens, context) }
    case 'text': {
      const text = token as Tokens.Text
      const children = text.tokens ? inlines(text.tokens, context) : plain(text.text, context)
      return { kind: 'inline', children }
    }
    default:
      // Anything else (a token type a newer marked adds) shows as what was typed.
      return { kind: 'p', children: plain(token.raw.replace(/\n+$/, ''), context) }
  }
}

function listItem(item: Tokens.ListItem, context: MentionContext): MdBlock[] {
  // marked puts a task's box first among the item's tokens; it is shown as typed, below.
  const content = blocks(
    item.tokens.filter((token) => token.type !== 'checkbox'),
    context,
  )
  if (!item.task) return content
  // A task box is shown as typed, "[ ]" or "[x]", never as a form control.
  const box: MdInline = { kind: 'text', text: item.checked ? '[x] ' : '[ ] ' }
  const [first, ...rest] = content
  if (first && (first.kind === 'inline' || first.kind === 'p'))
    return [{ ...first, children: [box, ...first.children] }, ...rest]
  return [{ kind: 'inline', children: [box] }, ...content]
}

function inlines(tokens: readonly Token[], context: MentionContext): MdInline[] {
  const out: MdInline[] = []
  for (const token of tokens) out.push(...toInline(token, context))
  return out
}

function toInline(token: Token, context: MentionContext): MdInline[] {
  switch (token.type) {
    case 'text': {
      const text = token as Tokens.Text
      return text.tokens ? inlines(text.tokens, context) : plain(text.text, context)
    }
    case 'escape':
      return [{ kind: 'text', text: token.text as string }]
    case 'strong':
    case 'em':
    case 'del':
      return [{ kind: token.type, children: inlines((token as Tokens.Strong).tokens, context) }]
    case 'codespan':
      return [{ kind: 'code', text: token.text as string }]
    case 'br':
      return [{ kind: 'br' }]
    case 'link': {
      const link = token as Tokens.Link
      const href = safeHref(link.href)
      if (href === null) return [{ kind: 'text', text: link.raw }]
      return [{ kind: 'link', href, children: inlines(link.tokens, context) }]
    }
    case 'image': {
      // Never an <img>: a picture someone posts could track who reads the room. A link instead.
      const image = token as Tokens.Image
      const href = safeHref(image.href)
      if (href === null) return [{ kind: 'text', text: image.raw }]
      const label = image.text.trim() === '' ? image.href : image.text
      return [{ kind: 'link', href, children: [{ kind: 'text', text: label }] }]
    }
    default:
      // Raw HTML and anything unknown: exactly what was typed, as text.
      return [{ kind: 'text', text: token.raw }]
  }
}

/** Same shape as the server's mention pattern (src/domain/mentions.ts). */
const MENTION = /(?<![A-Za-z0-9_])@([A-Za-z0-9_.-]{1,64})/g

/** Plain text, with the `@name`s the server resolved for this message marked as mentions. */
function plain(text: string, { mentions, me }: MentionContext): MdInline[] {
  if (mentions.length === 0 || !text.includes('@'))
    return text === '' ? [] : [{ kind: 'text', text }]
  const known = new Map(mentions.map((name) => [name.toLowerCase(), name]))
  const out: MdInline[] = []
  let last = 0
  for (const match of text.matchAll(MENTION)) {
    const name = resolvedPrefix(match[1] ?? '', known)
    if (name === null) continue
    const start = match.index
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) })
    const canonical =
      name.toLowerCase() === 'room' ? '@room' : (known.get(name.toLowerCase()) ?? name)
    const mine = canonical === '@room' || canonical.toLowerCase() === me.toLowerCase()
    out.push({ kind: 'mention', text: `@${name}`, me: mine })
    last = start + 1 + name.length
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) })
  return out
}

/** The longest prefix of `run` (cut before a ".") that names a mention, as the server resolves. */
function resolvedPrefix(run: string, known: ReadonlyMap<string, string>): string | null {
  if (run.toLowerCase() === 'room' && known.has('@room')) return run
  for (let end = run.length; end > 0; end = run.lastIndexOf('.', end - 1)) {
    const candidate = run.slice(0, end)
    if (known.has(candidate.toLowerCase())) return candidate
  }
  return null
}

/** Plain text of a message for places that show no markup (notifications, quotes, live region). */
export function plainText(blocks: readonly MdBlock[]): string {
  return blocks.map(blockText).join('\n')
}

function blockText(block: MdBlock): string {
  switch (block.kind) {
    case 'pre':
      return block.text
    case 'quote':
      return plainText(block.children)
    case 'list':
      return block.items.map((item) => plainText(item)).join('\n')
    default:
      return block.children.map(inlineText).join('')
  }
}

function inlineText(node: MdInline): string {
  if (node.kind === 'br') return '\n'
  if (node.kind === 'text' || node.kind === 'code' || node.kind === 'mention') return node.text
  return node.children.map(inlineText).join('')
}
