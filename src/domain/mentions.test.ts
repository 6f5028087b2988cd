import { describe, expect, it } from 'vitest'
import { mentionCandidates } from './mentions.js'

describe('mentionCandidates', () => {
  it('finds @names at the start or after a non-name character, longest first, with each prefix before a dot', () => {
    expect(mentionCandidates('@ann hi').names).toEqual([['ann']])
    expect(mentionCandidates('hi @cy.z.').names).toEqual([['cy.z.', 'cy.z', 'cy']])
    expect(mentionCandidates('(@bob), @bob-x').names).toEqual([['bob'], ['bob-x']])
  })

  it('skips addresses and the like: an @ right after a name character', () => {
    expect(mentionCandidates('mail ann@example.org or x_@bob').names).toEqual([])
  })

  it('tells @room apart, in any case, and never as a username', () => {
    expect(mentionCandidates('@Room standup @ann')).toEqual({ names: [['ann']], room: true })
    expect(mentionCandidates('@roomy').room).toBe(false)
  })

  it('finds nothing in text without an @ name', () => {
    expect(mentionCandidates('a @ b, @@ and me@')).toEqual({ names: [], room: false })
  })
})
