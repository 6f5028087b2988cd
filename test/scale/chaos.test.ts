// The chaos run, short: each fault once against real nodes (the faults every mode has on one
// SQLite node, the PostgreSQL and Redis ones on two nodes), then the audit must find nothing lost,
// duplicated or out of order. `npm run chaos` is the long version (docs/reliability.md).
import { describe, expect, it, onTestFailed } from 'vitest'
import { FAULT_KEYS, type Fault } from '../../bench/chaos/faults.js'
import { formatMode, passed } from '../../bench/chaos/report.js'
import { runMode, type ModeOptions, type ModeResult } from '../../bench/chaos/run-mode.js'
import { scaleOutUnavailable, TEST_PG_URL } from '../support/cluster.js'
import { TEST_REDIS_URL } from '../support/redis.js'

const skipCluster = await scaleOutUnavailable()

function faults(...keys: string[]): Fault[] {
  return keys.map((key) => {
    const fault = FAULT_KEYS[key]
    if (!fault) throw new Error(`no fault ${key}`)
    return fault
  })
}

async function chaos(
  options: Omit<ModeOptions, 'durationMs' | 'seed' | 'entry'>,
): Promise<ModeResult> {
  // What the run did, shown only when the test fails (a timeout included).
  const started = Date.now()
  const lines: string[] = []
  onTestFailed(() => console.log(lines.join('\n')))
  const result = await runMode({
    log: (line) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`),
    durationMs: 600_000,
    maxPerFault: 1,
    holdMs: [600, 1_200],
    seed: 7,
    // The build, fresh from the tests' global setup.
    entry: 'dist',
    ...options,
  })
  if (!passed(result)) console.log(formatMode(result))
  return result
}

function expectClean(result: ModeResult, expected: readonly Fault[]): void {
  expect(result.audit.acked).toBeGreaterThan(0)
  expect(result.audit.total).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 })
  expect(result.audit.phantom).toBe(0)
  expect(result.unsettled).toBeUndefined()
  expect(result.faults.map((f) => f.fault).sort()).toEqual(expected.map((f) => f.name).sort())
  for (const fault of result.faults) {
    expect(fault.problem, fault.fault).toBeUndefined()
    expect(fault.recoverMs, `${fault.fault} recovered`).toBeDefined()
  }
}

describe('chaos, short', { timeout: 240_000 }, () => {
  it('one SQLite node: kill -9 and restart, a stalled reader closed 1013, a reconnect storm', async () => {
    const chosen = faults('kill', 'stall', 'storm')
    const result = await chaos({ mode: 'sqlite', clients: 4, faults: chosen })
    expectClean(result, chosen)
  })

  it.skipIf(skipCluster !== undefined)(
    'two nodes on PostgreSQL + Redis: Redis blackholed and paused, PostgreSQL backends terminated and connections refused',
    async () => {
      const chosen = faults('redis-blackhole', 'redis-pause', 'pg-terminate', 'pg-refuse')
      const result = await chaos({
        mode: 'cluster',
        clients: 4,
        faults: chosen,
        cluster: { pgUrl: TEST_PG_URL, redisUrl: TEST_REDIS_URL },
      })
      expectClean(result, chosen)
    },
  )
})
