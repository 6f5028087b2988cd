/** A message of mine the server has not acknowledged: sending, waiting for the network, or refused. */
import type { OutboxItem } from '../outbox.js'
import { MessageText } from './MessageText.js'

interface Props {
  readonly item: OutboxItem
  readonly failure: string | null
  readonly online: boolean
  readonly onRetry: (cid: string) => void
  readonly onDiscard: (cid: string) => void
}

export function PendingItem({ item, failure, online, onRetry, onDiscard }: Props) {
  const failed = item.failed
  const status = failed
    ? `Not sent${failure ? `: ${failure}` : ''}`
    : online
      ? 'Sending…'
      : 'Waiting for connection…'
  return (
    <li class={`msg own first ${failed ? 'failed' : 'pending'}`} data-cid={item.cid}>
      {item.text !== '' && (
        <div class="bubble">
          <MessageText text={item.text} />
        </div>
      )}
      {item.attachments && item.attachments.length > 0 && (
        <p class="pending-files">{item.attachments.map((file) => file.name).join(', ')}</p>
      )}
      <div class="delivery" role={failed ? 'alert' : undefined}>
        <span>{status}</span>
        {(failed || !online) && (
          <button type="button" class="ghost small" onClick={() => onRetry(item.cid)}>
            Retry
          </button>
        )}
        {failed && (
          <button type="button" class="ghost small" onClick={() => onDiscard(item.cid)}>
            Discard
          </button>
        )}
      </div>
    </li>
  )
}
