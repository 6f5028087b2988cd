// PublishBacklog against a fake send: order, at-most-once, and its size bound.
import { describe, expect, it } from 'vitest'
import { PublishBacklog } from './publish-backlog.js'

const unsent = () => new Error("Stream isn't writeable and enableOfflineQueue options is false")

function setup(maxEntries = 10) {
  const state = { up: false, timeout: false }
  const sent: string[] = []
  const reports: string[] = []
  const backlog = new PublishBacklog({
    send(_channel, payload) {
      if (state.timeout) return Promise.reject(new Error('Command timed out'))
      if (!state.up) return Promise.reject(unsent())
      sent.push(payload)
      return Promise.resolve()
    },
    canSend: () => state.up,
    maxEntries,
    report: (_error, context) => reports.push(context),
  })
  return { state, sent, reports, backlog }
}

describe('PublishBacklog', () => {
  it('queues while down and re-sends in order, before newer events', async () => {
    const { state, sent, backlog } = setup()
    await backlog.publish('c', '1', true)
    await backlog.publish('c', 'typing', false)
    await backlog.publish('c', '2', true)
    expect(backlog.size).toBe(2)
    state.up = true
    const flushing = backlog.flush()
    await backlog.publish('c', '3', true)
    await flushing
    expect(sent).toEqual(['1', '2', '3'])
    expect(backlog.size).toBe(0)
  })

  it('does not re-send a publish that may have reached Redis', async () => {
    const { state, sent, reports, backlog } = setup()
    state.up = true
    state.timeout = true
    await backlog.publish('c', '1', true)
    await backlog.publish('c', '2', true)
    state.timeout = false
    await backlog.flush()
    expect(sent).toEqual([])
    expect(reports).toHaveLength(1)
  })

  it('drops the oldest past maxEntries', async () => {
    const { state, sent, backlog } = setup(2)
    for (const payload of ['1', '2', '3']) await backlog.publish('c', payload, true)
    state.up = true
    await backlog.flush()
    expect(sent).toEqual(['2', '3'])
  })
})
