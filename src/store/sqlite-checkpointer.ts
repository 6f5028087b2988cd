/**
 * Copies SQLite's write-ahead log back into the database file from a worker thread, so the event
 * loop never waits on a checkpoint's page copies and fsyncs.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { LOWER_PRIORITY_SOURCE } from './thread-priority.js'

/**
 * SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past 1,000 pages: that
 * commit then copies every page back into the database file and fsyncs it, on the event loop (the
 * store benchmark spent 40 % of its wall time there). Here a worker thread with its own connection
 * runs PASSIVE checkpoints, which never block the writer, every `intervalMs`; the writer's own
 * automatic checkpoint stays as a backstop for when this thread falls behind or dies
 * (`BACKSTOP_PAGES`).
 */
export const BACKSTOP_PAGES = 16_384

export interface SqliteCheckpointerOptions {
  readonly file: string
  readonly intervalMs?: number
  readonly busyTimeoutMs?: number
  /** The thread's nice value (Linux; default 10; the writer's backstop covers a starved thread). */
  readonly nice?: number
}

// An eval'd CommonJS body, so the same code runs from dist/ and from the TypeScript sources in
// tests; the parent resolves better-sqlite3 for it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
${LOWER_PRIORITY_SOURCE}
lowerPriority(workerData.nice)
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs)
let stopping = false
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    // SQLITE_BUSY and friends: the next round tries again; the writer's backstop covers the rest.
  }
}, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message !== 'stop' || stopping) return
  stopping = true
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export class SqliteCheckpointer {
  readonly #worker: Worker
  readonly #exited: Promise<void>

  constructor(options: SqliteCheckpointerOptions) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: options.file,
        intervalMs: options.intervalMs ?? 250,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
        nice: options.nice ?? 10,
      },
    })
    // Checkpointing is housekeeping: it must not keep the process alive on its own.
    this.#worker.unref()
    this.#exited = new Promise<void>((resolve) => {
      this.#worker.once('exit', () => resolve())
      // A failing worker only means the writer checkpoints itself again (the backstop).
      this.#worker.once('error', () => resolve())
    })
  }

  /** Stops the worker after its current checkpoint and closes its connection. */
  async stop(): Promise<void> {
    // Held open until it has closed its connection, so a shutdown does not cut it mid-checkpoint.
    this.#worker.ref()
    this.#worker.postMessage('stop')
    await this.#exited
  }
}
