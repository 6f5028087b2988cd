import { describeTyping } from '../typing.js'

/** "alice is typing…" under the messages; empty space is reserved so the layout does not jump. */
export function TypingLine({ users }: { users: readonly string[] }) {
  return <p class="typing">{describeTyping(users)}</p>
}
