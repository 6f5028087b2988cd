import type { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import { Broadcast } from '../../domain/subscriber.js'
import { frameText } from './frame-text.js'

// ws's own frame parser, which its types leave out.
const { Receiver } = WebSocket as unknown as {
  Receiver: new (options: {
    isServer: boolean
  }) => EventEmitter & { write(chunk: Uint8Array): void }
}

/** What a ws client reads from the bytes: the one text message, whole. */
function decode(frame: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false })
    receiver.on('message', (data: Buffer, isBinary: boolean) =>
      isBinary ? reject(new Error('binary')) : resolve(data.toString('utf8')),
    )
    receiver.on('error', reject)
    receiver.write(frame)
  })
}

describe('frameText', () => {
  // 7-bit, 16-bit and 64-bit payload lengths, at and around each boundary.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])(
    'frames a %i-character payload that ws decodes as one text message',
    async (size) => {
      const payload = { type: 'message', text: 'é'.repeat(size) }
      const broadcast = new Broadcast(payload)
      const frame = frameText(broadcast)
      expect(JSON.parse(await decode(frame))).toEqual(payload)
      expect(Buffer.from(broadcast.encoded!).toString('utf8')).toBe(JSON.stringify(payload))
    },
  )

  it('reuses bytes already encoded by another subscriber', async () => {
    const broadcast = new Broadcast({ type: 'typing' })
    broadcast.encoded = Buffer.from('{"type":"typing"}')
    expect(await decode(frameText(broadcast))).toBe('{"type":"typing"}')
  })
})
