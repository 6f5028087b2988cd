/**
 * Where focus goes after a view change, so a keyboard or screen-reader user is never dropped on
 * the page body: a view asks for a list of targets (the first one on screen wins) and the request
 * is kept until one of them is rendered.
 */
import { useEffect, useState } from 'preact/hooks'

export type FocusTarget =
  'composer' | 'current-room' | 'drawer' | 'rooms-toggle' | 'members-panel' | 'members-toggle'

const SELECTORS: Readonly<Record<FocusTarget, string>> = {
  composer: '#composer-input',
  // The open room's entry in the sidebar (after leaving a room: the room that opened instead).
  'current-room': '.sidebar .room-button.current',
  drawer: '.sidebar .room-button.current, .sidebar button',
  'rooms-toggle': '.rooms-toggle',
  'members-panel': '#members-panel .panel-close',
  'members-toggle': '.members-toggle',
}

function onScreen(el: HTMLElement): boolean {
  return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
}

/** Focuses the first of `targets` that is on screen; false when none is (yet). */
export function moveFocus(targets: readonly FocusTarget[]): boolean {
  for (const target of targets) {
    const el = document.querySelector<HTMLElement>(SELECTORS[target])
    if (el && onScreen(el)) {
      el.focus()
      return true
    }
  }
  return false
}

interface Request {
  readonly targets: readonly FocusTarget[]
  /** Only if nothing has focus (page load, sign-in): never take it from where the user put it. */
  readonly ifIdle: boolean
}

/** About half a second at 60 frames a second. */
const RETRY_FRAMES = 30

const idle = () => document.activeElement === null || document.activeElement === document.body

/**
 * A focus request that outlives renders until its target appears (the composer exists only once
 * the rooms have loaded). `initial` is asked for on mount, if the user has not focused anything.
 */
export function useFocusRequest(
  initial: readonly FocusTarget[],
): (...targets: FocusTarget[]) => void {
  const [request, setRequest] = useState<Request | null>({ targets: initial, ifIdle: true })
  // After every render: the target may have just appeared. A request made by a click is fulfilled
  // within a few frames (an element may still be sliding in) or dropped, so focus never jumps
  // later on an unrelated render; the arrival request waits for renders as long as nothing else
  // has taken focus.
  useEffect(() => {
    if (!request) return
    let frames = 0
    let frame = 0
    const attempt = (): void => {
      if (request.ifIdle && !idle()) return setRequest(null)
      if (moveFocus(request.targets)) return setRequest(null)
      if (request.ifIdle) return
      if (++frames > RETRY_FRAMES) return setRequest(null)
      frame = requestAnimationFrame(attempt)
    }
    attempt()
    return () => cancelAnimationFrame(frame)
  })
  return (...targets) => setRequest({ targets, ifIdle: false })
}
