/** Version 1 of the tutorial: reqA's long I/O blocks the one thread, so reqB waits behind it. */
import { LONG_IO_MS, runAB, runIfMain, type Timings } from './harness.js'

/**
 * Stands in for a synchronous HTTP call (Python's requests.get, time.sleep in the tutorial):
 * the thread sleeps and nothing else on the event loop runs until it returns.
 */
function blockingLongIo(ms: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
  return 'sunck is a good man'
}

export function run(): Promise<Timings> {
  return runAB((_upstreamUrl, reply) => {
    const data = blockingLongIo(LONG_IO_MS) // never do this on the event loop
    reply(200, `reqA got: ${data}`)
  })
}

runIfMain(import.meta.url, 'blocking', run)
