/** One Eddy node's lifecycle: wire it (wiring.ts), listen, run its heartbeat, and stop it gracefully. */
import type { AddressInfo } from 'node:net'
import type { Config } from './config.js'
import type { Clock, PasswordHasher } from './domain/ports.js'
import type { UserChannel } from './domain/user-channel.js'
import type { Engines } from './engines.js'
import { createLogger, type Logger } from './log.js'
import { buildApp } from './transport/http/app.js'
import { wireNode } from './wiring.js'

export interface EddyServer {
  readonly url: string
  readonly port: number
  readonly engines: Engines
  /** Per-user events to every socket of a user on every node (for the domain and tests). */
  readonly userChannel: UserChannel
  readonly log: Logger
  /** Graceful stop: no new connections, sockets closed with 1001, polls answered, store flushed. */
  close(): Promise<void>
}

export const systemClock: Clock = { now: () => Date.now() }

/** What an embedder (the tests) may swap: time, and the password hasher's cost. */
export interface NodeOverrides {
  readonly clock?: Clock
  readonly hasher?: PasswordHasher
}

/** Sockets that do not finish their close handshake in this time are cut. */
const CLOSE_GRACE_MS = 1_000

export async function startServer(
  config: Config,
  overrides: NodeOverrides = {},
): Promise<EddyServer> {
  const log = createLogger(config.LOG_LEVEL)
  const node = await wireNode(config, overrides.clock ?? systemClock, log, overrides.hasher)
  const { app, gateway, polls, counts } = await buildApp(node.transport)
  node.metrics.watch(counts)
  const heartbeat = setInterval(() => {
    node.chat
      .heartbeat()
      .catch((error: unknown) => log.warn({ err: error }, 'presence heartbeat failed'))
    node.socketSessions
      .sweep()
      .catch((error: unknown) => log.warn({ err: error }, 'socket session sweep failed'))
  }, config.PRESENCE_SWEEP_INTERVAL_MS)
  heartbeat.unref()
  const audit = setInterval(() => {
    // At debug: while the Store is down this fails every interval, and /healthz already says so.
    node.chat.audit().catch((error: unknown) => log.debug({ err: error }, 'feed audit failed'))
  }, config.FEED_AUDIT_INTERVAL_MS)
  audit.unref()
  const janitor = setInterval(() => {
    node.files
      .collect()
      .catch((error: unknown) => log.warn({ err: error }, 'file janitor failed; will retry'))
  }, config.FILE_JANITOR_INTERVAL_MS)
  janitor.unref()

  // Best effort: without it the first upstream call pays the same start-up, only later.
  await node.upstreams
    .warmUp()
    .catch((error: unknown) => log.debug({ err: error }, 'outbound HTTP warm-up failed'))
  await app.listen({ host: config.HOST, port: config.PORT })
  const { port } = app.server.address() as AddressInfo
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST
  log.info(
    { port, nodeId: node.nodeId, store: config.DATABASE_URL ? 'postgres' : 'sqlite' },
    'eddy is listening',
  )

  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    port,
    engines: node.engines,
    userChannel: node.userChannel,
    log,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat)
        clearInterval(audit)
        clearInterval(janitor)
        gateway.closeAll()
        polls.closeAll()
        const closed = app.close()
        // Sockets that do not finish their close handshake promptly, and keep-alive connections
        // that went idle after close() began (answered polls), are cut after a short grace.
        setTimeout(() => {
          app.websocketServer.clients.forEach((socket) => socket.terminate())
          app.server.closeAllConnections()
        }, CLOSE_GRACE_MS).unref()
        await closed
        log.info('http and websocket closed')
        await node.upstreams.close()
        await node.engines.close()
        log.info('storage closed')
      })()
      return closing
    },
  }
}
