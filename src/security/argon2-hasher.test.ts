import { describe, expect, it } from 'vitest'
import { Argon2Hasher, OWASP_COST } from './argon2-hasher.js'

describe('Argon2Hasher', () => {
  it('hashes with Argon2id at the OWASP cost by default, salted, and verifies only the right password', async () => {
    const hasher = new Argon2Hasher()
    const first = await hasher.hash('correct horse battery')
    const second = await hasher.hash('correct horse battery')
    expect(first).toMatch(
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${OWASP_COST.memoryCost},t=${OWASP_COST.timeCost},p=1\\$`,
      ),
    )
    expect(OWASP_COST).toEqual({ memoryCost: 19_456, timeCost: 2 })
    expect(second).not.toBe(first)
    expect(await hasher.verify(first, 'correct horse battery')).toBe(true)
    expect(await hasher.verify(first, 'correct horse batterY')).toBe(false)
  })

  it('verifies a hash made at another cost, and answers false for a malformed one', async () => {
    const cheap = await new Argon2Hasher({ memoryCost: 256, timeCost: 1 }).hash('pw 12345678')
    expect(cheap).toMatch(/^\$argon2id\$v=19\$m=256,t=1,p=1\$/)
    expect(await new Argon2Hasher().verify(cheap, 'pw 12345678')).toBe(true)
    expect(await new Argon2Hasher().verify('not a hash', 'pw 12345678')).toBe(false)
  })
})
