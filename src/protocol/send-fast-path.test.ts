import { describe, expect, test } from 'vitest'
import { SendFrame } from './frames.js'
import { MAX_TEXT_PARSE_CHARS } from './names.js'
import { fastSendFrame } from './send-fast-path.js'

const ok = { type: 'send', room: 'lobby', text: 'hello', cid: 'c-1' }

/** Frames as JSON.parse hands them over: valid, hostile, and the near misses between. */
const inputs: Record<string, unknown> = {
  plain: ok,
  'upper-case room': { ...ok, room: 'Lobby.Two_3-x' },
  'empty text': { ...ok, text: '' },
  'emoji and CJK text': { ...ok, text: '👍🏽 看电影 é' },
  'text at the parse ceiling': { ...ok, text: 'x'.repeat(MAX_TEXT_PARSE_CHARS) },
  'text over the parse ceiling': { ...ok, text: 'x'.repeat(MAX_TEXT_PARSE_CHARS + 1) },
  'NUL in text': { ...ok, text: 'a\u0000b' },
  'lone high surrogate in text': { ...ok, text: 'a\uD800b' },
  'lone low surrogate in text': { ...ok, text: '\uDC00' },
  'paired surrogates in text': { ...ok, text: '\uD83D\uDE00' },
  'control character in text': { ...ok, text: 'bell\u0007' },
  'NUL in cid': { ...ok, cid: 'c\u0000' },
  'lone surrogate in cid': { ...ok, cid: '\uD800' },
  'control character in cid': { ...ok, cid: 'c\u0007' },
  'format character in cid': { ...ok, cid: 'c\u200E' },
  'empty cid': { ...ok, cid: '' },
  '64-character cid': { ...ok, cid: 'c'.repeat(64) },
  '65-character cid': { ...ok, cid: 'c'.repeat(65) },
  'NUL in room': { ...ok, room: 'lob\u0000by' },
  'punctuation-only room': { ...ok, room: '..' },
  'room with a space': { ...ok, room: 'a b' },
  '32-character room': { ...ok, room: 'r'.repeat(32) },
  '33-character room': { ...ok, room: 'r'.repeat(33) },
  'empty room': { ...ok, room: '' },
  'room with a newline after it': { ...ok, room: 'lobby\n' },
  'number text': { ...ok, text: 5 },
  'null cid': { ...ok, cid: null },
  'array room': { ...ok, room: ['lobby'] },
  'object text': { ...ok, text: { toString: 'x' } },
  'extra key': { ...ok, extra: 1 },
  'undefined-valued extra key': { ...ok, replyTo: undefined },
  'missing cid': { type: 'send', room: 'lobby', text: 'hello' },
  'replyTo (schema path)': { ...ok, replyTo: 3 },
  'attachments (schema path)': { ...ok, attachments: [] },
  'other type': { ...ok, type: 'edit' },
  'type in another case': { ...ok, type: 'Send' },
  'four keys, one wrong': { type: 'send', room: 'lobby', text: 'hello', cidx: 'c' },
  'a __proto__ key': JSON.parse(
    '{"type":"send","room":"lobby","text":"hi","__proto__":{"cid":"c"}}',
  ) as unknown,
  'a __proto__ key beside the four': JSON.parse(
    '{"type":"send","room":"lobby","text":"hi","cid":"c","__proto__":{}}',
  ) as unknown,
  array: ['send', 'lobby', 'hello', 'c'],
  null: null,
  string: 'send',
  number: 1,
}

describe('the send fast path gives the schema verdict', () => {
  for (const [name, input] of Object.entries(inputs)) {
    test(name, () => {
      const schema = SendFrame.safeParse(input)
      const fast = fastSendFrame(input)
      // Never accepts what the schema refuses, nor answers differently from it.
      if (fast !== undefined) expect(fast).toStrictEqual(schema.data)
      if (!schema.success) expect(fast).toBeUndefined()
    })
  }

  test('takes every valid frame of the plain shape (so it is the path sends really take)', () => {
    const plain = Object.entries(inputs).filter(([name, input]) => {
      const keys = typeof input === 'object' && input !== null ? Object.keys(input) : []
      return keys.length === 4 && SendFrame.safeParse(input).success && !name.includes('proto')
    })
    expect(plain.length).toBeGreaterThan(8)
    for (const [, input] of plain) expect(fastSendFrame(input)).toBeDefined()
  })
})
