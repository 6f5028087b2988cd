/**
 * `npm run chaos`: real clients against real Eddy nodes while faults are injected, then an audit
 * that every acked message reached every subscriber exactly once and in order (docs/reliability.md).
 */
import { parseArgs } from 'node:util'
import { FAULT_KEYS, type Fault, type Mode } from './faults.js'
import type { NodeEntry } from './nodes.js'
import { formatMode, passed } from './report.js'
import { runMode, type ModeResult } from './run-mode.js'

const USAGE = `usage: npm run chaos -- [--mode sqlite|cluster|both] [--duration SECONDS] [--clients N]
       [--seed N] [--rate SENDS_PER_SECOND_PER_CLIENT] [--faults kill,storm,...] [--entry dist|tsx]
       [--rounds MAX_TIMES_PER_FAULT] [--hold MIN_MS-MAX_MS]
faults: ${Object.keys(FAULT_KEYS).join(', ')}`

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '80' },
    clients: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '4' },
    faults: { type: 'string' },
    entry: { type: 'string', default: 'dist' },
    rounds: { type: 'string', default: '6' },
    hold: { type: 'string', default: '1500-4000' },
    help: { type: 'boolean', default: false },
  },
})

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const modes: Mode[] =
  values.mode === 'both'
    ? ['sqlite', 'cluster']
    : values.mode === 'sqlite' || values.mode === 'cluster'
      ? [values.mode]
      : fail(`bad --mode ${values.mode}`)
const number = (name: string, raw: string): number => {
  const n = Number(raw)
  return Number.isFinite(n) && n > 0 ? n : fail(`bad --${name} ${raw}`)
}
const durationMs = number('duration', values.duration) * 1_000
const clients = number('clients', values.clients)
const seed = number('seed', values.seed)
const rate = number('rate', values.rate)
const maxPerFault = number('rounds', values.rounds)
const [holdMin, holdMax] = values.hold.split('-').map((part) => number('hold', part))
if (holdMin === undefined || holdMax === undefined || holdMax < holdMin)
  fail(`bad --hold ${values.hold}`)
const entry: NodeEntry =
  values.entry === 'tsx' || values.entry === 'dist'
    ? values.entry
    : fail(`bad --entry ${values.entry}`)
const faults: Fault[] | undefined = values.faults
  ?.split(',')
  .map((key) => FAULT_KEYS[key.trim()] ?? fail(`unknown fault ${key}`))

const cluster = {
  pgUrl:
    process.env['CHAOS_PG_URL'] ??
    process.env['TEST_DATABASE_URL'] ??
    'postgres://postgres@127.0.0.1:5432/test',
  redisUrl:
    process.env['CHAOS_REDIS_URL'] ?? process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
}

console.log(
  `chaos: modes ${modes.join(' + ')}, ${durationMs / 1000} s of faults each, ${clients} clients, seed ${seed}, ${new Date().toISOString()}`,
)
const results: ModeResult[] = []
for (const mode of modes) {
  const result = await runMode({
    mode,
    durationMs,
    clients,
    seed,
    rate,
    entry,
    maxPerFault,
    holdMs: [holdMin, holdMax],
    ...(faults ? { faults } : {}),
    ...(mode === 'cluster' ? { cluster } : {}),
    log: (line) => console.log(line),
  })
  results.push(result)
  console.log(formatMode(result))
}
const ok = results.every(passed)
console.log(
  ok ? 'chaos: every acked message delivered once, in order, everywhere' : 'chaos: FAILED',
)
process.exit(ok ? 0 : 1)
