/**
 * Connection state the user must know about, said as it is: offline, the server out of reach
 * (with the next try's countdown and Retry now), the long-poll fallback (only once it carries
 * the chat), or a server notice.
 */
import { useEffect, useState } from 'preact/hooks'
import type { LinkStatus } from '../chat-link.js'

interface Props {
  readonly status: LinkStatus
  /** When the next reconnect attempt starts; null while one is under way. */
  readonly retryAt: number | null
  /** The browser reports no network at all. */
  readonly networkOffline: boolean
  readonly notice: string | null
  readonly onRetryNow: () => void
  readonly onDismiss: () => void
}

const POLLING =
  'Live connection unavailable: using a slower fallback and retrying in the background. ' +
  'The online list updates every few seconds; typing indicators are paused.'

export function StatusBanner(props: Props) {
  const { status, retryAt, networkOffline, notice, onRetryNow, onDismiss } = props
  return (
    <div class="banners" role="status" aria-live="polite">
      {status === 'reconnecting' && (
        <p class="banner banner-reconnecting">
          {networkOffline
            ? 'You are offline. Messages you write now are sent when the connection is back. '
            : 'Cannot reach the server. Messages you write now are sent when it is back. '}
          <Countdown retryAt={retryAt} />{' '}
          <button type="button" class="ghost small" onClick={onRetryNow}>
            Retry now
          </button>
        </p>
      )}
      {status === 'polling' && <p class="banner banner-polling">{POLLING}</p>}
      {notice && (
        <p class="banner banner-notice">
          {notice}{' '}
          <button type="button" class="ghost small" onClick={onDismiss}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  )
}

/**
 * "Reconnecting in 4 s…", ticking each second. Hidden from screen readers, which get one steady
 * sentence: the live region would otherwise announce every tick and every attempt.
 */
function Countdown({ retryAt }: { retryAt: number | null }) {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (retryAt === null) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [retryAt])
  const seconds = retryAt === null ? 0 : Math.ceil((retryAt - now) / 1_000)
  return (
    <>
      <span class="countdown" aria-hidden="true">
        {seconds > 0 ? `Reconnecting in ${seconds} s…` : 'Reconnecting…'}
      </span>
      <span class="sr-only">Reconnecting automatically.</span>
    </>
  )
}
