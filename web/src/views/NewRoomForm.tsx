/** The sidebar's "New room" form: a name, and Private for a members-only room (invite people from its members panel). */
import { useState } from 'preact/hooks'
import { roomNameProblem } from '../validation.js'

interface Props {
  readonly onCreate: (room: string, visibility: 'public' | 'private') => Promise<string | null>
}

export function NewRoomForm({ onCreate }: Props) {
  const [name, setName] = useState('')
  const [priv, setPriv] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const create = async (event: Event) => {
    event.preventDefault()
    const problem = roomNameProblem(name.trim())
    if (problem) return setError(problem)
    setError(null)
    const failure = await onCreate(name.trim(), priv ? 'private' : 'public')
    if (failure) setError(failure)
    else {
      setName('')
      setPriv(false)
    }
  }

  return (
    <form class="new-room" onSubmit={(e) => void create(e)} noValidate>
      <label for="new-room">New room</label>
      <div class="row">
        <input
          id="new-room"
          value={name}
          placeholder="room-name"
          autoComplete="off"
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'new-room-error' : undefined}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Create
        </button>
      </div>
      <label class="check">
        <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.currentTarget.checked)} />{' '}
        Private (invite only)
      </label>
      {error && (
        <p class="field-error" id="new-room-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
