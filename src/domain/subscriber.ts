/**
 * What a room subscriber is: the contract every transport's reader (a WebSocket connection, a
 * parked long-poll) implements to receive a room's stream from ChatService.subscribe.
 */
import type {
  PresenceFrame,
  PreviewFrame,
  RoomLogEvent,
  TypingEventFrame,
} from '../protocol/frames.js'

/** Lets every subscriber of one broadcast share one encoding of it (serialise once, not per socket). */
export class Broadcast<T> {
  /** Set by the first subscriber that serialises it; the others send the same bytes. */
  encoded: Uint8Array | undefined
  constructor(readonly payload: T) {}
}

/** What a room's subscribers receive besides its log: exactly the wire frames. */
export type RoomEvent = PresenceFrame | TypingEventFrame | PreviewFrame

/** Why the server ended a subscription: the user was removed from the room, or left it elsewhere. */
export type EndReason = 'removed' | 'left'

export interface RoomSubscriber {
  readonly id: string
  /** The username and user id of whoever reads: access is checked and ended per user. */
  readonly user: string
  readonly userId: string
  /** The room's log events (messages, membership, settings), in seq order, each once. */
  deliver(event: Broadcast<RoomLogEvent>): void
  event(event: Broadcast<RoomEvent>): void
  /**
   * The user lost access to the room (removed, or left from another tab or device): the
   * subscription is over and nothing more of the room follows. Not called after `fail`.
   */
  ended(room: string, reason: EndReason): void
  /** The subscriber could not be caught up (store failure); it should resume later with `since`. */
  fail(room: string, error: unknown): void
  /** true while its outgoing buffer is filling up: catch-up waits for `drained` before going on. */
  readonly congested: boolean
  drained(): Promise<void>
}
