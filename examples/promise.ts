/** The tutorial's generator coroutine, in TypeScript: the I/O returns a Promise and reqA continues in .then(). */
import { createHttpClient, type HttpClient } from '../src/upstream/http-client.js'
import { runAB, runIfMain, type Timings } from './harness.js'

/** Like `res = yield longIo()` driven by gen.send(): the Promise is the handle, .then() the resumption. */
function handleA(client: HttpClient, upstreamUrl: string): Promise<string> {
  return client
    .request(upstreamUrl, { signal: AbortSignal.timeout(2_000) })
    .then((res) => res.body.toString('utf8'))
}

export async function run(): Promise<Timings> {
  // allowPrivate: the example's upstream is on 127.0.0.1, which the SSRF guard refuses by default.
  const client = createHttpClient({ allowPrivate: true })
  try {
    return await runAB((upstreamUrl, reply) => {
      handleA(client, upstreamUrl).then(
        (body) => reply(200, `reqA got: ${body}`),
        (error: unknown) => reply(502, `upstream failed: ${String(error)}`),
      )
    })
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, 'promise', run)
