/** The one place that asks for desktop notification permission: a button the user presses, never page load. */
import { useState } from 'preact/hooks'
import type { DesktopNotifier } from '../notifications.js'

export function NotificationToggle({ notifier }: { notifier: DesktopNotifier }) {
  const [permission, setPermission] = useState(notifier.permission)
  if (permission === 'unsupported') return null
  if (permission !== 'default')
    return (
      <p class="notify-state">
        {permission === 'granted'
          ? 'Desktop notifications on for mentions and DMs'
          : 'Desktop notifications are blocked in this browser'}
      </p>
    )
  return (
    <button
      type="button"
      class="ghost notify-toggle"
      onClick={() => void notifier.request().then(setPermission)}
    >
      Turn on desktop notifications
    </button>
  )
}
