/**
 * Message text with its markdown (markdown.ts) as Preact elements: text nodes, and elements this
 * file names. Nothing from a message ever becomes HTML or an attribute other than a checked href.
 */
import type { ComponentChildren } from 'preact'
import { useMemo } from 'preact/hooks'
import { type MdBlock, type MdInline, parseMarkdown } from '../markdown.js'

interface Props {
  readonly text: string
  /** The message's mentions as the server resolved them. */
  readonly mentions?: readonly string[] | undefined
  /** The reader, whose mentions stand out. */
  readonly me?: string
}

const NO_MENTIONS: readonly string[] = []

export function MessageText({ text, mentions = NO_MENTIONS, me = '' }: Props) {
  const blocks = useMemo(() => parseMarkdown(text, { mentions, me }), [text, mentions, me])
  return (
    <div class="text" dir="auto">
      {blocks.map(block)}
    </div>
  )
}

function block(node: MdBlock, key: number): ComponentChildren {
  switch (node.kind) {
    case 'p':
      return <p key={key}>{node.children.map(inline)}</p>
    case 'inline':
      return node.children.map(inline)
    case 'pre':
      return (
        <pre key={key}>
          <code>{node.text}</code>
        </pre>
      )
    case 'quote':
      return <blockquote key={key}>{node.children.map(block)}</blockquote>
    case 'list': {
      const items = node.items.map((item, i) => <li key={i}>{item.map(block)}</li>)
      return node.ordered ? (
        <ol key={key} start={node.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      )
    }
  }
}

function inline(node: MdInline, key: number): ComponentChildren {
  switch (node.kind) {
    case 'text':
      return node.text
    case 'br':
      return <br key={key} />
    case 'code':
      return <code key={key}>{node.text}</code>
    case 'mention':
      return (
        <span key={key} class={node.me ? 'mention me' : 'mention'}>
          {node.text}
        </span>
      )
    case 'link':
      return (
        <a key={key} href={node.href} target="_blank" rel="noopener noreferrer">
          {node.children.map(inline)}
        </a>
      )
    case 'strong':
      return <strong key={key}>{node.children.map(inline)}</strong>
    case 'em':
      return <em key={key}>{node.children.map(inline)}</em>
    case 'del':
      return <del key={key}>{node.children.map(inline)}</del>
  }
}
