/** Entry point: read the config, start one node, stop gracefully on SIGTERM/SIGINT. */
import { loadConfig } from './config.js'
import { startServer } from './server.js'
import { StartupError } from './startup-error.js'

const config = loadConfig()
const server = await startServer(config).catch((error: unknown) => {
  // The operator's fix is in the environment: say what and where in one line, without a stack.
  if (!(error instanceof StartupError)) throw error
  process.stderr.write(`eddy: cannot start: ${error.message}\n`)
  process.exit(1)
})

let stopping = false
function stop(signal: string): void {
  if (stopping) return
  stopping = true
  server.log.info({ signal }, 'shutting down')
  const force = setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles()
    server.log.error(
      { handles: handles.map((h) => h.constructor.name) },
      'shutdown took too long; exiting',
    )
    process.exit(1)
  }, config.SHUTDOWN_GRACE_MS + 1_000)
  force.unref()
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      server.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    },
  )
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
