/**
 * `npm run cluster -- --nodes N`: N Eddy nodes on consecutive ports from PORT, sharing
 * DATABASE_URL and REDIS_URL (no sticky sessions needed: clients resume with `since`).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from './config.js'

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: String(availableParallelism()) } },
})
const nodes = Number(values.nodes)
const config = loadConfig()
if (!Number.isInteger(nodes) || nodes < 1) throw new Error('--nodes takes a whole number ≥ 1')
if (!config.DATABASE_URL || !config.REDIS_URL) {
  console.error(
    'eddy cluster: several nodes must share storage and fan-out.\n' +
      'Set DATABASE_URL=postgres://… and REDIS_URL=redis://… (see docs/deploy.md).',
  )
  process.exit(2)
}

const main = fileURLToPath(new URL('./main.js', import.meta.url))
const children: ChildProcess[] = []
let stopping = false

function start(index: number): void {
  const port = config.PORT + index
  const child = fork(main, [], {
    env: { ...process.env, PORT: String(port), NODE_ID: `${process.pid}-${index}` },
  })
  children[index] = child
  child.on('exit', (code, signal) => {
    if (stopping) return
    console.error(
      `eddy cluster: node ${index} (port ${port}) exited (${signal ?? code}); restarting`,
    )
    setTimeout(() => start(index), 1_000)
  })
}

for (let i = 0; i < nodes; i++) start(i)
console.log(`eddy cluster: ${nodes} nodes on ports ${config.PORT}-${config.PORT + nodes - 1}`)

function stop(signal: NodeJS.Signals): void {
  stopping = true
  for (const child of children) child.kill(signal)
  let left = children.length
  for (const child of children) {
    child.once('exit', () => {
      left -= 1
      if (left === 0) process.exit(0)
    })
  }
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
