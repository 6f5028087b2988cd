/**
 * A message of mine the server has not acknowledged: sending, waiting for the network, not sent
 * in time (stalled), refused, or held behind a refused one (the outbox sends in order).
 */
import type { OutboxItem } from '../outbox.js'
import { MessageText } from './MessageText.js'

interface Props {
  readonly item: OutboxItem
  readonly failure: string | null
  /** Not acknowledged within the send timeout: still resent when a connection is back. */
  readonly stalled: boolean
  /** An earlier message of this room was refused: this one waits for it. */
  readonly held: boolean
  readonly online: boolean
  readonly onRetry: (cid: string) => void
  readonly onDiscard: (cid: string) => void
}

export function PendingItem(props: Props) {
  const { item, failure, stalled, held, online, onRetry, onDiscard } = props
  const failed = item.failed
  const notSent = failed || (stalled && !held)
  const status = failed
    ? `Not sent${failure ? `: ${failure}` : ''}`
    : held
      ? 'Waiting: the message above was not sent'
      : stalled
        ? online
          ? 'Not sent: the server did not answer. Sending again…'
          : 'Not sent: no connection. It goes out when the connection is back.'
        : online
          ? 'Sending…'
          : 'Waiting for connection…'
  return (
    <li class={`msg own first ${notSent ? 'failed' : 'pending'}`} data-cid={item.cid}>
      {item.text !== '' && (
        <div class="bubble">
          <MessageText text={item.text} />
        </div>
      )}
      {item.attachments && item.attachments.length > 0 && (
        <p class="pending-files">{item.attachments.map((file) => file.name).join(', ')}</p>
      )}
      <div class="delivery" role={notSent ? 'alert' : undefined}>
        <span>{status}</span>
        {(notSent || (!online && !held)) && (
          <button type="button" class="ghost small" onClick={() => onRetry(item.cid)}>
            Retry
          </button>
        )}
        {(failed || held || stalled) && (
          <button type="button" class="ghost small" onClick={() => onDiscard(item.cid)}>
            Discard
          </button>
        )}
      </div>
    </li>
  )
}
