/**
 * npm run bench [-- --quick] [--scenario NAME[,NAME]] [--servers bare,socketio,eddy]
 *                  [--workers N] [--addresses N] [--eddy-cpu-prof DIR] [--eddy-entry FILE]
 *                  [--eddy-users N] [--markdown]
 *   npm run bench -- --scenario c100k [--c100k-clients N] [--c100k-nodes N]
 *                  [--c100k-one-node-clients N] [--c100k-users N] [--c100k-seconds S] …
 *
 * Starts each server under test on loopback (bench/servers/), drives it from worker processes
 * (bench/load/), prints one table (figures × servers, Eddy's ratios, the goals) and
 * writes bench/results/<timestamp>.json. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ServerKind } from './load/clients/protocol.js'
import { boxSpeed } from './metrics/box-speed.js'
import { LoadPool, sourceAddresses } from './load/pool.js'
import { KINDS, renderMarkdown, renderText, type Row } from './report.js'
import type {
  FigureValue,
  Scenario,
  ScenarioContext,
  ScenarioOutput,
  StartedServer,
} from './scenarios/context.js'
import { c100kScenario } from './scenarios/c100k.js'
import { C100K_ARGS, parseC100kOptions } from './scenarios/c100k-options.js'
import { durable } from './scenarios/durable.js'
import { fanout } from './scenarios/fanout.js'
import { idle } from './scenarios/idle.js'
import { ramp } from './scenarios/ramp.js'
import { resume } from './scenarios/resume.js'
import { upstream } from './scenarios/upstream.js'
import { eddyAvailable, launchEddy } from './servers/eddy.js'
import { launchReference, REPO_ROOT, type ServerUnderTest } from './servers/launch.js'

const SCENARIOS: readonly Scenario[] = [fanout, ramp, idle, resume, durable, upstream]
/** Run only when named: c100k needs PostgreSQL and Redis, and minutes. */
const OPT_IN = ['c100k']

/** The idle scenario needs ~19k sockets per side: raise the soft open-file limit, then go on. */
function reexecWithRaisedFileLimit(): void {
  if (process.env['BENCH_FILE_LIMIT_RAISED']) return
  const probe = spawnSync('bash', ['-c', 'echo "$(ulimit -Sn) $(ulimit -Hn)"'], {
    encoding: 'utf8',
  })
  const [soft, hard] = probe.stdout.trim().split(' ')
  if (!soft || soft === hard) return
  const child = spawnSync(
    'bash',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, BENCH_FILE_LIMIT_RAISED: '1' } },
  )
  process.exit(child.status ?? 1)
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      servers: { type: 'string' },
      workers: { type: 'string', default: String(Math.max(2, cpus().length)) },
      addresses: { type: 'string', default: '8' },
      'eddy-cpu-prof': { type: 'string' },
      'eddy-entry': { type: 'string' },
      'eddy-users': { type: 'string' },
      markdown: { type: 'boolean', default: false },
      ...C100K_ARGS,
    },
  })
  const c100k = {
    ...parseC100kOptions(values),
    ...(values['eddy-cpu-prof'] ? { cpuProfDir: values['eddy-cpu-prof'] } : {}),
  }
  const all = [...SCENARIOS, c100kScenario(c100k)]
  const names = (values.scenario ?? []).flatMap((s) => s.split(','))
  const unknown = names.filter((n) => !all.some((s) => s.name === n))
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`,
    )
  }
  const servers = (values.servers?.split(',') ?? [...KINDS]) as ServerKind[]
  for (const s of servers)
    if (!KINDS.includes(s)) throw new Error(`unknown server ${s}; known: ${KINDS.join(', ')}`)
  return {
    quick: values.quick,
    scenarios:
      names.length > 0
        ? all.filter((s) => names.includes(s.name))
        : all.filter((s) => !OPT_IN.includes(s.name)),
    servers,
    workers: Number(values.workers),
    addresses: Number(values.addresses),
    eddyCpuProf: values['eddy-cpu-prof'],
    eddyEntry: values['eddy-entry'],
    // Each registration is an Argon2 hash (~25 ms of a free core, far more on a busy one), paid
    // at every Eddy start: enough users for realistic presence, few enough to start quickly.
    eddyUsers: Number(values['eddy-users'] ?? (values.quick ? 40 : 100)),
    markdown: values.markdown,
    c100k,
  }
}

async function main(): Promise<void> {
  reexecWithRaisedFileLimit()
  const options = parseOptions()
  if (options.eddyEntry) process.env['BENCH_EDDY_ENTRY'] = options.eddyEntry
  const startedAt = new Date()
  const log = (message: string) => console.log(message)
  const speedAtStart = boxSpeed()
  log(
    `eddy bench: ${options.quick ? 'quick' : 'full'} run of ${options.scenarios.map((s) => s.name).join(', ')} against ${options.servers.join(', ')}; ${options.workers} load workers, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}, ${speedAtStart}`,
  )
  if (options.servers.includes('eddy') && !eddyAvailable()) {
    log('eddy: dist/main.js is missing (is src/main.ts there yet?): Eddy columns stay empty')
  }
  const pool = new LoadPool(options.workers)
  const addresses = sourceAddresses(options.addresses)
  let phase = 0
  const outputs: Record<
    string,
    Partial<Record<ServerKind, ScenarioOutput | { error: string }>>
  > = {}
  const rows: Row[] = []

  try {
    for (const scenario of options.scenarios) {
      const values: Record<string, Partial<Record<ServerKind, FigureValue>>> = {}
      const missing: Partial<Record<ServerKind, string>> = {}
      outputs[scenario.name] = {}
      for (const kind of options.servers) {
        if (!scenario.kinds.includes(kind)) {
          missing[kind] = 'n/a'
          continue
        }
        if (kind === 'eddy' && !eddyAvailable()) {
          missing[kind] = 'not built'
          continue
        }
        log(`\n[${scenario.name} · ${kind}] ${scenario.description}`)
        const servers: ServerUnderTest[] = []
        const ctx: ScenarioContext = {
          kind,
          quick: options.quick,
          pool,
          addresses,
          nextPhase: () => ++phase,
          log,
          async startServer(o = {}): Promise<StartedServer> {
            if (kind === 'eddy') {
              const eddy = await launchEddy({
                users: o.users ?? options.eddyUsers,
                rooms: o.rooms ?? ['lobby'],
                ...(o.env ? { env: o.env } : {}),
                nodeArgs: [
                  ...(options.eddyCpuProf
                    ? ['--cpu-prof', `--cpu-prof-dir=${options.eddyCpuProf}`]
                    : []),
                  ...(o.nodeArgs ?? []),
                ],
              })
              servers.push(eddy)
              return { server: eddy, tokens: eddy.tokens }
            }
            const server = await launchReference(kind)
            servers.push(server)
            return { server, tokens: [] }
          },
        }
        const t0 = performance.now()
        try {
          const out = await scenario.run(ctx)
          outputs[scenario.name]![kind] = out
          for (const [key, value] of Object.entries(out.figures)) {
            ;(values[key] ??= {})[kind] = value
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          log(`  FAILED: ${message}`)
          for (const s of servers) log(`  server output tail:\n${s.output().slice(-1500)}`)
          outputs[scenario.name]![kind] = { error: message }
          missing[kind] = 'failed'
        } finally {
          await pool.closeAll().catch(() => {})
          for (const s of servers) await s.stop()
          log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
        }
      }
      for (const spec of scenario.figures(options.quick)) {
        rows.push({ scenario: scenario.name, spec, values: values[spec.key] ?? {}, missing })
      }
    }
  } finally {
    await pool.stop()
  }

  const speedAtEnd = boxSpeed()
  const text = renderText(rows)
  const markdown = renderMarkdown(rows)
  log(`\n${text}`)
  log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )} on ${cpus().length} CPUs (anything near or above the CPU count makes latency and ceilings noisy); at the end ${speedAtEnd}.`,
  )
  log('\nn/a: the references have no history, acks or /api/movies, so those rows are Eddy-only.')
  if (options.markdown) log(`\n${markdown}`)
  const dir = join(REPO_ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        argv: process.argv.slice(2),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          node: process.version,
          loadavg: loadavg(),
          boxSpeed: { start: speedAtStart, end: speedAtEnd },
        },
        options,
        scenarios: outputs,
        table: rows.map((r) => ({
          scenario: r.scenario,
          key: r.spec.key,
          label: r.spec.label,
          unit: r.spec.unit,
          values: r.values,
          missing: r.missing,
        })),
        markdown,
      },
      null,
      2,
    ),
  )
  log(`\nresults: ${file}`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
