/** The answered message above a reply (and above the composer in reply mode): author and start, or "deleted message". */
import { useMemo } from 'preact/hooks'
import type { ReplyQuote as Quote } from '../../../src/protocol/index.js'
import { parseMarkdown, plainText } from '../markdown.js'

interface Props {
  /** Null: the answered message is older than what is loaded, and the timeline gave no quote. */
  readonly quote: Quote | null
  /** Jump to the answered message; without it the quote is not a button (the composer's). */
  readonly onJump?: (() => void) | undefined
}

/** A quote shows this much of the answered message (its markup removed). */
const QUOTE_CHARS = 120

export function ReplyQuote({ quote, onJump }: Props) {
  const text = useMemo(() => {
    if (!quote || quote.deleted) return ''
    const plain = plainText(parseMarkdown(quote.text, { mentions: [], me: '' }))
    const flat = plain.replace(/\s+/g, ' ').trim()
    return flat.length > QUOTE_CHARS ? `${Array.from(flat).slice(0, QUOTE_CHARS).join('')}…` : flat
  }, [quote])
  const content = (
    <>
      {quote && !quote.deleted && <span class="quote-author">{quote.user}</span>}{' '}
      <span class={quote?.deleted ? 'quote-text gone' : 'quote-text'}>
        {quote === null ? 'an earlier message' : quote.deleted ? 'deleted message' : text}
      </span>
    </>
  )
  if (!onJump) return <div class="quote">{content}</div>
  // The name is what shows, after a hidden "Reply to": the visible words stay in the name.
  return (
    <button type="button" class="quote" title="Show the message" onClick={onJump}>
      <span class="sr-only">Reply to {quote?.deleted ? 'a ' : ''}</span>
      {content}
    </button>
  )
}
