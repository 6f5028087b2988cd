/** The "@" suggestions under the composer: a listbox the textarea points at (aria-activedescendant). */

interface Props {
  readonly id: string
  readonly names: readonly string[]
  readonly active: number
  readonly onPick: (name: string) => void
}

export function optionId(listId: string, index: number): string {
  return `${listId}-${index}`
}

export function MentionMenu({ id, names, active, onPick }: Props) {
  return (
    <ul id={id} class="mention-menu" role="listbox" aria-label="People to mention">
      {names.map((name, i) => (
        <li
          key={name}
          id={optionId(id, i)}
          role="option"
          aria-selected={i === active}
          class={i === active ? 'active' : undefined}
          // mousedown, not click: the textarea must keep the focus (and its caret).
          onMouseDown={(e) => {
            e.preventDefault()
            onPick(name)
          }}
        >
          @{name}
        </li>
      ))}
    </ul>
  )
}
