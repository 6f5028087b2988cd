/**
 * One adapter per server kind: where to connect, how to become ready in a room, how to send.
 * Deliveries are recognised by the payload marker (bench/load/payload.ts), not by parsing the
 * frame, so every kind costs the load generator the same per delivery.
 */
export type ServerKind = 'bare' | 'socketio' | 'eddy'

/** What the handshake step decides about one incoming non-delivery frame. */
export type HandshakeStep = 'continue' | 'ready' | { error: string }

export interface ClientProtocol {
  /** Path and query of the WebSocket endpoint. */
  readonly path: string
  /** Extra upgrade headers (the session). */
  headers(token: string | undefined): Record<string, string>
  /** Sent right after the socket opens (may be empty). */
  opening(room: string, since: number | undefined): string[]
  /** Ready without any frame from the server? */
  readonly readyOnOpen: boolean
  /** Called for every non-delivery frame until it answers 'ready'. */
  handshake(frame: string, reply: (data: string) => void): HandshakeStep
  /** Called for every non-delivery frame after the handshake (pings, acks, presence…). */
  control(frame: string, reply: (data: string) => void): void
  /** The wire frame that sends `text` to `room`. */
  encodeSend(room: string, text: string, cid: string): string
  /** Eddy only: the frames that edit message `target` and react to it (changes in the mix). */
  readonly encodeEdit?: (room: string, target: number, text: string, cid: string) => string
  readonly encodeReact?: (room: string, target: number, emoji: string, cid: string) => string
}
