/**
 * The sidebar's "Direct message" form: usernames (comma-separated for a group), suggested from
 * the people in my rooms and who is online (a `datalist`: the browser's own accessible list).
 */
import { useState } from 'preact/hooks'
import { parsePeople, suggestPeople } from '../state/room-roles.js'

interface Props {
  readonly me: string
  /** Everyone this client knows of: members of my rooms (fetched on first focus), who is online. */
  readonly known: () => Iterable<string>
  /** Asked once, on the first focus: load more people to suggest. */
  readonly onNeedPeople: () => void
  readonly onOpen: (usernames: readonly string[]) => Promise<string | null>
}

export function NewDmForm({ me, known, onNeedPeople, onOpen }: Props) {
  const [typed, setTyped] = useState('')
  const [asked, setAsked] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const chosen = typed.includes(',') ? typed.slice(0, typed.lastIndexOf(',') + 1) + ' ' : ''
  const options = suggestPeople(known(), typed, me)

  const open = async (event: Event) => {
    event.preventDefault()
    const names = parsePeople(typed).filter((name) => name.toLowerCase() !== me.toLowerCase())
    if (names.length === 0) return setError('Type a username.')
    if (names.length > 8) return setError('At most 8 people besides you.')
    setError(null)
    const failure = await onOpen(names)
    if (failure) setError(failure)
    else setTyped('')
  }

  return (
    <form class="new-room new-dm" onSubmit={(e) => void open(e)} noValidate>
      <label for="new-dm">Direct message</label>
      <div class="row">
        <input
          id="new-dm"
          value={typed}
          placeholder="username"
          autoComplete="off"
          list="dm-people"
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'new-dm-error' : undefined}
          onFocus={() => {
            if (asked) return
            setAsked(true)
            onNeedPeople()
          }}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Open
        </button>
      </div>
      <datalist id="dm-people">
        {options.map((name) => (
          <option key={name} value={chosen + name} />
        ))}
      </datalist>
      {error && (
        <p class="field-error" id="new-dm-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
