/**
 * What a room subscriber is: the contract every transport's reader (a WebSocket connection, a
 * parked long-poll) implements to receive a room's stream from ChatService.subscribe.
 */
import type {
  ChatMessage,
  PresenceFrame,
  PreviewFrame,
  TypingEventFrame,
} from '../protocol/frames.js'

/** Lets every subscriber of one broadcast share one encoding of it (serialise once, not per socket). */
export class Broadcast<T> {
  /** Set by the first subscriber that serialises it; the others send the same bytes. */
  encoded: Uint8Array | undefined
  constructor(readonly payload: T) {}
}

/** What a room's subscribers receive besides messages: exactly the wire frames. */
export type RoomEvent = PresenceFrame | TypingEventFrame | PreviewFrame

export interface RoomSubscriber {
  readonly id: string
  readonly user: string
  deliver(message: Broadcast<ChatMessage>): void
  event(event: Broadcast<RoomEvent>): void
  /** The subscriber could not be caught up (store failure); it should resume later with `since`. */
  fail(room: string, error: unknown): void
  /** true while its outgoing buffer is filling up: catch-up waits for `drained` before going on. */
  readonly congested: boolean
  drained(): Promise<void>
}
