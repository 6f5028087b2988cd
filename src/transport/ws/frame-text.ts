/** Builds a broadcast's WebSocket text frame once, for every socket of a room to share. */
import type { Broadcast } from '../../domain/subscriber.js'

/** A final, unmasked text frame (RFC 6455 §5.2) around the broadcast's JSON, in one Buffer. */
export function frameText(broadcast: Broadcast<unknown>): Buffer {
  const encoded = broadcast.encoded
  const text = encoded === undefined ? JSON.stringify(broadcast.payload) : undefined
  const length = text === undefined ? encoded!.byteLength : Buffer.byteLength(text)
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(header + length)
  frame[0] = 0x81 // FIN + text
  if (header === 2) {
    frame[1] = length
  } else if (header === 4) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  if (text === undefined) frame.set(encoded!, header)
  else frame.write(text, header, 'utf8')
  // Long-poll and the like share the JSON without a second copy of it.
  broadcast.encoded = frame.subarray(header)
  return frame
}
