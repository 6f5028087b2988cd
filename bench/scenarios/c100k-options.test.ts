import { describe, expect, it } from 'vitest'
import { addressesFor, C100K_DEFAULTS, parseC100kOptions, workersFor } from './c100k-options.js'

describe('c100k options', () => {
  it('defaults to 100,000 clients on 6 nodes beside 15,000 on one', () => {
    expect(parseC100kOptions({})).toEqual(C100K_DEFAULTS)
    expect(C100K_DEFAULTS).toMatchObject({ clients: 100_000, nodes: 6, oneNodeClients: 15_000 })
  })

  it('reads the flags, with digit separators', () => {
    const o = parseC100kOptions({
      'c100k-clients': '3_000',
      'c100k-nodes': '2',
      'c100k-one-node-clients': '0',
      'c100k-seconds': '5',
    })
    expect(o).toMatchObject({ clients: 3000, nodes: 2, oneNodeClients: 0, seconds: 5 })
  })

  it('refuses more sockets per node than one process may open here', () => {
    expect(() => parseC100kOptions({ 'c100k-clients': '100000', 'c100k-nodes': '5' })).toThrow(
      /per node/,
    )
    expect(() => parseC100kOptions({ 'c100k-one-node-clients': '25000' })).toThrow(/one process/)
    expect(() => parseC100kOptions({ 'c100k-nodes': '0' })).toThrow(/≥ 1/)
    expect(() => parseC100kOptions({ 'c100k-clients': 'lots' })).toThrow(/integer/)
  })

  it('keeps each load worker and source address under its limits', () => {
    expect(workersFor(100_000, 2)).toBe(6)
    expect(workersFor(1_000, 2)).toBe(2)
    expect(addressesFor(100_000, 8)).toBe(18)
    expect(addressesFor(1_000, 8)).toBe(8)
  })
})
