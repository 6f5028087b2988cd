/**
 * Keyboard moves in the message list. The list is one tab stop: Tab from it goes on to the
 * composer (never through every message's buttons, which would scroll to the oldest one);
 * Enter steps into the messages, the arrows move between them, Tab reaches the focused message's
 * actions and Escape goes back to the list.
 */
import { moveFocus } from './focus.js'

const MESSAGE = 'li.msg'

function messages(scroller: HTMLElement): HTMLElement[] {
  return [...scroller.querySelectorAll<HTMLElement>(MESSAGE)]
}

/** The newest message whose top is on screen: where a reader stepping in expects to start. */
function lastVisible(scroller: HTMLElement): HTMLElement | undefined {
  const bottom = scroller.getBoundingClientRect().bottom
  return messages(scroller).findLast((m) => m.getBoundingClientRect().top < bottom)
}

/** Handles a key pressed in the list; true when it was used (the caller prevents the default). */
export function handleListKey(scroller: HTMLElement, event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement
  if (target === scroller) {
    if (event.key === 'Tab' && !event.shiftKey) return moveFocus(['composer'])
    if (event.key === 'Enter') {
      const message = lastVisible(scroller)
      message?.focus()
      return message !== undefined
    }
    return false
  }
  if (!target.matches(MESSAGE)) return false
  if (event.key === 'Escape') {
    scroller.focus({ preventScroll: true })
    return true
  }
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return false
  const all = messages(scroller)
  const next = all[all.indexOf(target) + (event.key === 'ArrowUp' ? -1 : 1)]
  if (next) {
    next.focus({ preventScroll: true })
    next.scrollIntoView({ block: 'nearest' })
  }
  return true
}
