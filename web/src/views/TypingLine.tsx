/** "alice is typing…" under the messages; empty space is reserved so the layout does not jump. */
export function TypingLine({ users }: { users: readonly string[] }) {
  return <p class="typing">{describeTyping(users)}</p>
}

export function describeTyping(users: readonly string[]): string {
  const [a, b] = users
  if (a === undefined) return ''
  if (b === undefined) return `${a} is typing…`
  if (users.length === 2) return `${a} and ${b} are typing…`
  return 'Several people are typing…'
}
