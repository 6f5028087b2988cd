/**
 * Desktop notifications for mentions and DMs (the Notification API), shown only while the tab is
 * hidden. Permission is asked only when the user presses the control in the sidebar, never on
 * page load. Clicking a notification focuses the tab and opens the room at that message.
 */
import type { NotifyFrame } from '../../src/protocol/index.js'

export type NotificationPermissionState = NotificationPermission | 'unsupported'

/** How much of the message a notification shows. */
const BODY_CHARS = 200

export class DesktopNotifier {
  readonly #open: (room: string, seq: number) => void

  /** `open`: what a click on a notification does (open the room at the message). */
  constructor(open: (room: string, seq: number) => void) {
    this.#open = open
  }

  get permission(): NotificationPermissionState {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
  }

  /** Asks the browser; call only from the user's click on the control that says so. */
  async request(): Promise<NotificationPermissionState> {
    if (typeof Notification === 'undefined') return 'unsupported'
    return Notification.requestPermission()
  }

  /** Shows the notice if the tab is hidden and notifications are allowed; otherwise nothing. */
  show(frame: NotifyFrame): void {
    if (this.permission !== 'granted' || document.visibilityState !== 'hidden') return
    const title =
      frame.kind === 'dm'
        ? `${frame.user} (direct message)`
        : `${frame.user} mentioned you in #${frame.room}`
    const body = Array.from(frame.text).slice(0, BODY_CHARS).join('')
    // One notification per message: an edit that mentions again replaces, not stacks.
    const notice = new Notification(title, { body, tag: `${frame.room}:${frame.seq}` })
    notice.onclick = () => {
      window.focus()
      this.#open(frame.room, frame.seq)
      notice.close()
    }
  }
}
