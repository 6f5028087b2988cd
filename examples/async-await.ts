/** The tutorial's decorated coroutine (@gen.coroutine + yield client.fetch) as async/await over the shared client. */
import { createHttpClient, isUpstreamError, type HttpClient } from '../src/upstream/http-client.js'
import { runAB, runIfMain, type Reply, type Timings } from './harness.js'

/** Reads top to bottom like blocking code, yet every `await` hands the loop back to reqB. */
async function handleA(client: HttpClient, upstreamUrl: string, reply: Reply): Promise<void> {
  try {
    const res = await client.request(upstreamUrl, { signal: AbortSignal.timeout(2_000) })
    reply(200, `reqA got: ${res.body.toString('utf8')}`)
  } catch (error) {
    // The tutorial answers {"ret": 0} on error; Eddy's routes answer 502 upstream_error.
    reply(502, isUpstreamError(error) ? `upstream ${error.reason}` : 'upstream failed')
  }
}

export async function run(): Promise<Timings> {
  const client = createHttpClient({ allowPrivate: true })
  try {
    return await runAB((upstreamUrl, reply) => void handleA(client, upstreamUrl, reply))
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, 'async-await', run)
