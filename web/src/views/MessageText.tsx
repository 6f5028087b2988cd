/** Message text as text nodes and <a> elements: never parsed as HTML. */
import { linkify } from '../linkify.js'

export function MessageText({ text }: { text: string }) {
  return (
    <p class="text" dir="auto">
      {linkify(text).map((segment, i) =>
        segment.kind === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </p>
  )
}
