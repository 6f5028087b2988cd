/**
 * resume storm (Eddy only: the references keep no history): N clients in a room drop at once,
 * 100 messages are sent and acked, then all reconnect at once with `since` = the last seq they
 * saw. Time from the reconnect until every client holds every message, and whether it was
 * exactly once. Then the storm again with 100 events of which 10 are edits and 10 reactions (of
 * messages sent before the drop; issue 12), as lines of their own beside the plain figures.
 */
import WebSocket from 'ws'
import { ISSUE_MIX, kindOf, REACTION_EMOJI, stampCid } from '../load/changes.js'
import { eddyProtocol } from '../load/clients/eddy.js'
import { DEFAULT_PADDING, encodePayload, nowUs } from '../load/payload.js'
import { connectAll, type Scenario, type ScenarioContext, type StartedServer } from './context.js'

const ROOM = 'storm'
const MESSAGES = 100
/** Messages sent before the mixed storm's drop: what its edits and reactions change. */
const BASE_MESSAGES = 10
/** Not a worker index: marks messages from the parent's own sender. */
const PARENT_ORIGIN = 99

export interface Outgoing {
  readonly frame: string
  readonly cid: string
}

export function stampedMessage(phase: number, n: number, room = ROOM): Outgoing {
  const text = encodePayload(
    { phase, origin: PARENT_ORIGIN, n, sentAtUs: nowUs() },
    DEFAULT_PADDING,
  )
  const cid = `storm.${phase}.${n}`
  return { frame: eddyProtocol.encodeSend(room, text, cid), cid }
}

/** The mixed storm's n-th event: a message, or an edit or reaction of a base message (stamped cid). */
function mixedEvent(phase: number, n: number, base: readonly number[]): Outgoing {
  const kind = kindOf(n, ISSUE_MIX)
  if (kind === 'message') return stampedMessage(phase, n)
  const cid = stampCid({ phase, origin: PARENT_ORIGIN, n, sentAtUs: nowUs() })
  const target = base[n % base.length]!
  const frame =
    kind === 'edit'
      ? eddyProtocol.encodeEdit!(ROOM, target, `edited ${DEFAULT_PADDING} ${n}`, cid)
      : eddyProtocol.encodeReact!(ROOM, target, REACTION_EMOJI[n % REACTION_EMOJI.length]!, cid)
  return { frame, cid }
}

/** A sender outside the pool: joins, sends the frames, resolves with their acked seqs, in order. */
export async function sendAcked(
  wsUrl: string,
  token: string,
  outgoing: readonly Outgoing[],
  room = ROOM,
) {
  const ws = new WebSocket(`${wsUrl}/chat`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject)
    ws.on('message', (data) => {
      if ((data as Buffer).toString().includes('"type":"joined"')) resolve()
    })
    ws.once('open', () => ws.send(eddyProtocol.opening(room, undefined)[0]!))
  })
  const seqs = new Map<string, number>()
  const count = outgoing.length
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seqs.size}/${count} acked`)), 30_000)
    ws.on('message', (data) => {
      const frame = (data as Buffer).toString()
      if (frame.startsWith('{"type":"error"')) {
        clearTimeout(timer)
        reject(new Error(`refused: ${frame}`))
      }
      if (!frame.startsWith('{"type":"ack"')) return
      const ack = JSON.parse(frame) as { cid: string; seq: number }
      seqs.set(ack.cid, ack.seq)
      if (seqs.size === count) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  for (const { frame } of outgoing) ws.send(frame)
  try {
    await done
  } finally {
    ws.close()
  }
  return outgoing.map(({ cid }) => seqs.get(cid)!)
}

/** One storm: drop everyone, send `events` (acked), reconnect all at once with since. */
async function storm(
  ctx: ScenarioContext,
  started: StartedServer,
  events: (phase: number) => Outgoing[],
) {
  const phase = ctx.nextPhase()
  await ctx.pool.phase(phase)
  await ctx.pool.drop()
  await sendAcked(started.server.wsUrl, started.tokens[0]!, events(phase))
  const startUs = nowUs()
  const r = await ctx.pool.reconnect(MESSAGES, 30_000)
  const stats = await ctx.pool.stats()
  const seconds = r.allDoneUs > 0 ? (r.allDoneUs - startUs) / 1e6 : null
  const exactly = r.incomplete === 0 && r.failed === 0 && stats.dupes === 0
  return { r, stats, seconds, exactly }
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
    {
      key: 'mixedSeconds',
      label: 'resume storm, 10% edits + 10% reactions: until all have all',
      unit: 's',
      better: 'lower',
      eddyOnly: true,
    },
    {
      key: 'mixedExactlyOnce',
      label: 'resume storm, 10% edits + 10% reactions: exactly once',
      unit: '',
      better: 'none',
      eddyOnly: true,
    },
  ],
  async run(ctx) {
    const clients = ctx.quick ? 500 : 2_000
    const started = await ctx.startServer({ rooms: [ROOM] })
    const connected = await connectAll(ctx, started, clients, [ROOM])
    const plain = await storm(ctx, started, (phase) =>
      Array.from({ length: MESSAGES }, (_, n) => stampedMessage(phase, n)),
    )
    const { r, stats, seconds } = plain
    ctx.log(
      `  ${connected} clients: ${seconds === null ? 'incomplete' : seconds.toFixed(2) + ' s'}, ${r.failed} reconnects failed, ${r.incomplete} incomplete, ${stats.dupes} duplicates`,
    )
    // The base messages go out live, in a phase of their own (their deliveries are not counted).
    const basePhase = ctx.nextPhase()
    await ctx.pool.phase(basePhase)
    const base = await sendAcked(
      started.server.wsUrl,
      started.tokens[0]!,
      Array.from({ length: BASE_MESSAGES }, (_, n) => stampedMessage(basePhase, n)),
    )
    const mixed = await storm(ctx, started, (phase) =>
      Array.from({ length: MESSAGES }, (_, n) => mixedEvent(phase, n, base)),
    )
    ctx.log(
      `  with 10% edits + 10% reactions: ${mixed.seconds === null ? 'incomplete' : mixed.seconds.toFixed(2) + ' s'}, ${mixed.r.failed} reconnects failed, ${mixed.r.incomplete} incomplete, ${mixed.stats.dupes} duplicates`,
    )
    const verdict = (s: typeof plain) =>
      s.exactly ? 'yes' : `no (${s.r.incomplete} incomplete, ${s.stats.dupes} dupes)`
    return {
      figures: {
        seconds,
        exactlyOnce: verdict(plain),
        mixedSeconds: mixed.seconds,
        mixedExactlyOnce: verdict(mixed),
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
        mixed: {
          mix: ISSUE_MIX,
          baseMessages: BASE_MESSAGES,
          reconnected: mixed.r.reconnected,
          failed: mixed.r.failed,
          firstError: mixed.r.firstError,
          incomplete: mixed.r.incomplete,
          dupes: mixed.stats.dupes,
          unique: mixed.stats.unique,
        },
      },
    }
  },
}
