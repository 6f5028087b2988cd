import { describe, expect, test } from 'vitest'
import { insertMention, mentionQuery, suggestNames } from './mention-complete.js'

describe('mention completion', () => {
  test('finds the name being typed right before the caret', () => {
    expect(mentionQuery('hi @bo', 6)).toEqual({ start: 3, query: 'bo' })
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQuery('hi @bob there', 13)).toBeNull()
    expect(mentionQuery('hi @bo there', 6)).toEqual({ start: 3, query: 'bo' })
  })

  test('an address or a word with an @ inside is no mention', () => {
    expect(mentionQuery('mail ann@exa', 12)).toBeNull()
    expect(mentionQuery('x@', 2)).toBeNull()
  })

  test('suggests names starting with the query first, then containing it, never me', () => {
    const names = ['bobby', 'abbot', 'bob', 'ann', 'me', 'Bobcat']
    expect(suggestNames('bo', names, 'me')).toEqual(['bob', 'bobby', 'Bobcat', 'abbot'])
    expect(suggestNames('', names, 'me', 3)).toEqual(['abbot', 'ann', 'bob'])
    expect(suggestNames('zz', names, 'me')).toEqual([])
  })

  test('inserts the picked name with a space, replacing what was typed', () => {
    const query = { start: 3, query: 'bo' }
    expect(insertMention('hi @bo', 6, query, 'bobby')).toEqual({ text: 'hi @bobby ', caret: 10 })
    expect(insertMention('hi @bo there', 6, query, 'bob')).toEqual({
      text: 'hi @bob there',
      caret: 8,
    })
  })
})
