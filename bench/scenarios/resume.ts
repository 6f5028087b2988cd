/**
 * resume storm (Eddy only: the references keep no history): N clients in a room drop at once,
 * 100 messages are sent and acked, then all reconnect at once with `since` = the last seq they
 * saw. Time from the reconnect until every client holds every message, and whether it was
 * exactly once.
 */
import WebSocket from 'ws'
import { eddyProtocol } from '../load/clients/eddy.js'
import { DEFAULT_PADDING, encodePayload, nowUs } from '../load/payload.js'
import { connectAll, type Scenario } from './context.js'

const ROOM = 'storm'
const MESSAGES = 100
/** Not a worker index: marks messages from the parent's own sender. */
const PARENT_ORIGIN = 99

/** A sender outside the pool: joins, sends `count` stamped messages, resolves once all are acked. */
async function sendAcked(wsUrl: string, token: string, phase: number, count: number) {
  const ws = new WebSocket(`${wsUrl}/chat`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject)
    ws.on('message', (data) => {
      if ((data as Buffer).toString().includes('"type":"joined"')) resolve()
    })
    ws.once('open', () => ws.send(eddyProtocol.opening(ROOM, undefined)[0]!))
  })
  let acked = 0
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${acked}/${count} acked`)), 30_000)
    ws.on('message', (data) => {
      if ((data as Buffer).toString().includes('"type":"ack"') && ++acked === count) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  for (let n = 0; n < count; n++) {
    const text = encodePayload(
      { phase, origin: PARENT_ORIGIN, n, sentAtUs: nowUs() },
      DEFAULT_PADDING,
    )
    ws.send(eddyProtocol.encodeSend(ROOM, text, `storm.${phase}.${n}`))
  }
  try {
    await done
  } finally {
    ws.close()
  }
}

export const resume: Scenario = {
  name: 'resume',
  description: `resume storm: clients drop, ${MESSAGES} messages are sent, all reconnect at once with since`,
  kinds: ['eddy'],
  figures: () => [
    {
      key: 'seconds',
      label: 'resume storm: until all have all',
      unit: 's',
      better: 'lower',
      eddyOnly: true,
      goal: { text: '< 10 s', met: (e) => e < 10 },
    },
    {
      key: 'exactlyOnce',
      label: 'resume storm: exactly once',
      unit: '',
      better: 'none',
      eddyOnly: true,
    },
  ],
  async run(ctx) {
    const clients = ctx.quick ? 500 : 2_000
    const started = await ctx.startServer({ rooms: [ROOM] })
    const connected = await connectAll(ctx, started, clients, [ROOM])
    const phase = ctx.nextPhase()
    await ctx.pool.phase(phase)
    await ctx.pool.drop()
    await sendAcked(started.server.wsUrl, started.tokens[0]!, phase, MESSAGES)
    const startUs = nowUs()
    const r = await ctx.pool.reconnect(MESSAGES, 30_000)
    const stats = await ctx.pool.stats()
    const seconds = r.allDoneUs > 0 ? (r.allDoneUs - startUs) / 1e6 : null
    const exactly = r.incomplete === 0 && r.failed === 0 && stats.dupes === 0
    ctx.log(
      `  ${connected} clients: ${seconds === null ? 'incomplete' : seconds.toFixed(2) + ' s'}, ${r.failed} reconnects failed, ${r.incomplete} incomplete, ${stats.dupes} duplicates`,
    )
    return {
      figures: {
        seconds,
        exactlyOnce: exactly ? 'yes' : `no (${r.incomplete} incomplete, ${stats.dupes} dupes)`,
      },
      details: {
        clients: connected,
        messages: MESSAGES,
        reconnected: r.reconnected,
        failed: r.failed,
        firstError: r.firstError,
        incomplete: r.incomplete,
        dupes: stats.dupes,
        unique: stats.unique,
        expected: connected * MESSAGES,
      },
    }
  },
}
