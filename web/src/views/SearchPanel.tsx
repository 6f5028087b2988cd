/**
 * The search box at the top of the sidebar, and its results in place of the room list: grouped
 * by room, the matched parts in <mark> (text nodes only, never HTML), each a button that opens
 * the message in its room. Arrow keys move between the box and the results; Escape closes them.
 */
import { useRef, useState } from 'preact/hooks'
import type { SearchResult } from '../../../src/protocol/index.js'
import { ApiError } from '../api.js'
import { byRoom, markedParts } from '../search-marks.js'

interface Props {
  readonly search: (
    q: string,
    before?: string,
  ) => Promise<{
    results: SearchResult[]
    next: string | null
  }>
  readonly onOpen: (room: string, seq: number) => void
  /** Whether results are showing (the sidebar then hides its room list). */
  readonly onActive: (active: boolean) => void
}

type Found = { query: string; results: SearchResult[]; next: string | null }

const time = (ts: number) =>
  new Date(ts).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })

export function SearchPanel({ search, onOpen, onActive }: Props) {
  const [query, setQuery] = useState('')
  const [found, setFound] = useState<Found | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const box = useRef<HTMLInputElement>(null)
  const list = useRef<HTMLDivElement>(null)

  const run = async (q: string, more?: Found) => {
    setBusy(true)
    setError(null)
    try {
      const page = await search(q, more?.next ?? undefined)
      setFound({ query: q, results: [...(more?.results ?? []), ...page.results], next: page.next })
      onActive(true)
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Search failed; try again.')
    } finally {
      setBusy(false)
    }
  }
  const submit = (event: Event) => {
    event.preventDefault()
    const q = query.trim()
    if ([...q].length < 2) return setError('Type at least 2 characters.')
    void run(q)
  }
  const close = () => {
    setFound(null)
    setError(null)
    onActive(false)
    box.current?.focus()
  }
  const results = () => [...(list.current?.querySelectorAll<HTMLElement>('.search-hit') ?? [])]
  const move = (event: KeyboardEvent) => {
    const hits = results()
    const at = hits.indexOf(document.activeElement as HTMLElement)
    if (event.key === 'ArrowDown') hits[Math.min(at + 1, hits.length - 1)]?.focus()
    else if (event.key === 'ArrowUp') (at <= 0 ? box.current : hits[at - 1])?.focus()
    else if (event.key === 'Escape' && found) close()
    else return
    event.preventDefault()
  }

  return (
    <div class="search" onKeyDown={move}>
      <form role="search" class="search-form" onSubmit={submit}>
        <input
          ref={box}
          type="search"
          class="search-input"
          aria-label="Search messages"
          placeholder="Search messages"
          maxLength={200}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </form>
      {error && (
        <p class="search-error" role="alert">
          {error}
        </p>
      )}
      {found && (
        <div
          class="search-results"
          ref={list}
          aria-label={`Results for ${found.query}`}
          role="region"
        >
          <div class="search-summary" aria-live="polite">
            {found.results.length === 0
              ? `Nothing found for “${found.query}”.`
              : `${found.results.length}${found.next ? '+' : ''} found`}
            <button type="button" class="search-close" onClick={close}>
              Close
            </button>
          </div>
          {byRoom(found.results).map(([room, hits]) => (
            <section key={room} class="search-room">
              <h3 class="search-room-name">
                <span aria-hidden="true"># </span>
                {room}
              </h3>
              <ul>
                {hits.map((hit) => (
                  <li key={`${hit.room}#${hit.seq}`}>
                    <button
                      type="button"
                      class="search-hit"
                      data-room={hit.room}
                      data-seq={hit.seq}
                      onClick={() => onOpen(hit.room, hit.seq)}
                    >
                      <span class="search-meta">
                        <b>{hit.user}</b>{' '}
                        <time dateTime={new Date(hit.ts).toISOString()}>{time(hit.ts)}</time>
                      </span>
                      <span class="search-text">
                        {markedParts(hit.text, hit.highlights).map((part, i) =>
                          part.marked ? <mark key={i}>{part.text}</mark> : part.text,
                        )}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          {found.next && (
            <button
              type="button"
              class="search-more"
              disabled={busy}
              onClick={() => void run(found.query, found)}
            >
              More results
            </button>
          )}
        </div>
      )}
    </div>
  )
}
