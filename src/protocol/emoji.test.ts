import { describe, expect, it } from 'vitest'
import { isReaction, REACTION_NAMES } from './emoji.js'

describe('isReaction', () => {
  it('accepts exactly one emoji of any shape', () => {
    for (const emoji of ['👍', '👍🏽', '❤️', '🇫🇷', '1️⃣', '👨‍👩‍👧‍👦', '🏳️‍🌈', '©️']) {
      expect(isReaction(emoji), emoji).toBe(true)
    }
  })

  it('accepts the listed :names:, no others', () => {
    for (const name of REACTION_NAMES) expect(isReaction(`:${name}:`)).toBe(true)
    expect(isReaction(':nope:')).toBe(false)
    expect(isReaction('+1')).toBe(false)
  })

  it('refuses text, two emoji, padding, and characters that only look like emoji in text', () => {
    for (const text of ['', 'a', '1', '#', '👍👍', '👍 ', ' 👍', '©', '❤', 'ab', '\u200d']) {
      expect(isReaction(text), JSON.stringify(text)).toBe(false)
    }
  })
})
