// /metrics: Prometheus text from a real server, with counters that move as messages flow.
import { describe, expect, it } from 'vitest'
import { ChatClient, registerUser } from '../support/clients.js'
import { startServer } from '../support/start-server.js'

type Samples = Map<string, number>

/** Parses the text exposition format (0.0.4); throws on a line that is not a comment or a sample. */
function parseMetrics(text: string): { samples: Samples; types: Map<string, string> } {
  const samples: Samples = new Map()
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types.set(type[1] ?? '', type[2] ?? '')
      continue
    }
    if (line.startsWith('# HELP ')) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)(?: \d+)?$/.exec(line)
    if (!sample) throw new Error(`not a metrics line: ${line}`)
    const value = Number(
      sample[2] === '+Inf' ? Infinity : sample[2] === '-Inf' ? -Infinity : sample[2],
    )
    // prom-client writes a gauge with no samples yet (the event-loop lag right after a reset, as
    // when another server closed earlier in the same test process) as "Nan"; Prometheus parses
    // NaN in any case.
    if (Number.isNaN(value) && sample[2]?.toLowerCase() !== 'nan') {
      throw new Error(`bad value: ${line}`)
    }
    samples.set(sample[1] ?? '', value)
  }
  return { samples, types }
}

async function scrape(url: string): Promise<{ samples: Samples; types: Map<string, string> }> {
  const response = await fetch(`${url}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parseMetrics(await response.text())
}

describe('/metrics', () => {
  it('exposes process and chat metrics whose counters move as messages are sent', async () => {
    const server = await startServer()
    const before = await scrape(server.url)
    expect(before.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge')
    expect(before.types.get('eddy_messages_in_total')).toBe('counter')
    expect(before.types.get('eddy_store_append_seconds')).toBe('histogram')
    expect(before.types.get('eddy_fanout_seconds')).toBe('histogram')
    expect(before.samples.get('eddy_messages_in_total')).toBe(0)
    expect(before.samples.get('eddy_store_up')).toBe(1)
    expect(before.samples.get('eddy_bus_up')).toBe(1)

    const [alice, bob] = [await registerUser(server.url), await registerUser(server.url)]
    const a = await ChatClient.connect(server.wsUrl, alice.token)
    const b = await ChatClient.connect(server.wsUrl, bob.token)
    await a.join('lobby')
    await b.join('lobby')
    for (const cid of ['m1', 'm2', 'm3']) {
      a.send({ type: 'send', room: 'lobby', text: `hello ${cid}`, cid })
    }
    // A repeated cid is stored once, so it must not count as a new message.
    a.send({ type: 'send', room: 'lobby', text: 'hello m3', cid: 'm3' })
    await expect
      .poll(() => a.frames.filter((f) => f.type === 'ack' && f.cid === 'm3').length)
      .toBe(2)
    const last = await a.next('ack', (f) => f.cid === 'm3')
    await a.waitForSeq('lobby', last.seq)
    await b.waitForSeq('lobby', last.seq)

    const after = await scrape(server.url)
    expect(after.samples.get('eddy_messages_in_total')).toBe(3)
    // Each of the three messages went to both sockets in the room; the repeat went to no one.
    expect(after.samples.get('eddy_deliveries_total')).toBe(6)
    expect(after.samples.get('eddy_store_append_seconds_count')).toBe(4)
    expect(after.samples.get('eddy_fanout_seconds_count')).toBe(3)
    expect(after.samples.get('eddy_connections')).toBe(2)
    expect(after.samples.get('eddy_rooms_open')).toBe(1)
    expect(after.samples.get('eddy_parked_polls')).toBe(0)
    a.close()
    b.close()
  })
})
