/** A labelled input with its hint and inline error wired up through aria-describedby. */
interface Props {
  readonly id: string
  readonly label: string
  readonly value: string
  readonly type?: 'text' | 'password'
  readonly autoComplete: string
  readonly hint: string | null
  readonly error: string | null
  readonly onInput: (value: string) => void
  readonly onBlur: () => void
}

export function Field({
  id,
  label,
  value,
  type = 'text',
  autoComplete,
  hint,
  error,
  onInput,
  onBlur,
}: Props) {
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined
  const common = {
    id,
    name: id,
    value,
    autoComplete,
    autoCapitalize: 'off' as const,
    spellcheck: false,
    'aria-invalid': error ? ('true' as const) : ('false' as const),
    'aria-describedby': described,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
    onBlur,
  }
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {/* Two literal types: Preact's input typings narrow props per input type. */}
      {type === 'password' ? (
        <input type="password" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : (
        hint && (
          <p class="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )
      )}
    </div>
  )
}
