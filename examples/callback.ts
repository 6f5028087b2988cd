/** Version 2 of the tutorial: start the I/O, pass a callback, return; the loop serves reqB meanwhile. */
import http from 'node:http'
import { runAB, runIfMain, type Timings } from './harness.js'

/**
 * Tornado needed a thread to make time.sleep() look asynchronous; Node's I/O already is,
 * so the callback is simply handed to the socket: no thread, no waiting.
 */
function longIo(url: string, callback: (error: Error | null, body?: string) => void): void {
  const req = http.get(url, { signal: AbortSignal.timeout(2_000) }, (res) => {
    let body = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => (body += chunk))
    res.on('end', () => callback(null, body))
    res.on('error', (error) => callback(error))
  })
  req.on('error', (error) => callback(error)) // includes the AbortSignal timeout
}

export function run(): Promise<Timings> {
  return runAB((upstreamUrl, reply) => {
    longIo(upstreamUrl, (error, body) => {
      if (error) reply(502, `upstream failed: ${error.message}`)
      else reply(200, `reqA got: ${body ?? ''}`)
    })
  })
}

runIfMain(import.meta.url, 'callback', run)
