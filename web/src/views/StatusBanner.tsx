/** Connection state the user must know about: reconnecting, fallback mode, or a server notice. */
import type { LinkStatus } from '../chat-link.js'

interface Props {
  readonly status: LinkStatus
  readonly notice: string | null
  readonly onDismiss: () => void
}

const TEXT: Partial<Record<LinkStatus, string>> = {
  reconnecting: 'Reconnecting… Messages you write now will be sent when the connection is back.',
  polling:
    'Live connection unavailable: using a slower fallback and retrying in the background. ' +
    'The online list updates every few seconds; typing indicators are paused.',
}

export function StatusBanner({ status, notice, onDismiss }: Props) {
  const text = TEXT[status]
  return (
    <div class="banners" role="status" aria-live="polite">
      {text && <p class={`banner banner-${status}`}>{text}</p>}
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
