/**
 * The slow-upstream scenario's 1,000 callers, in a process of their own at low priority: they
 * stand for clients on other machines, so on this 2-core box their own HTTP work must not take
 * the CPU from the server and the chat load workers whose latency is being measured.
 */
import { Agent, get } from 'node:http'
import { setPriority } from 'node:os'

/** From the scenario: where to call, as whom, how many at once. */
export interface CallersSetup {
  readonly kind: 'setup'
  readonly baseUrl: string
  readonly token: string
  readonly calls: number
}
/** From the scenario: fire the calls now; or close the connections (after the measurement). */
export interface CallersFire {
  readonly kind: 'fire' | 'close'
}
export type CallersCommand = CallersSetup | CallersFire

/** To the scenario: the warm connections are open; then every call's outcome. */
export type CallersReport =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'done'
      readonly durationsUs: number[]
      readonly statuses: Record<string, number>
    }

/** Below the server and the chat load workers; the scheduler still gives them whatever is idle. */
export const CALLERS_NICENESS = 10

function main(): void {
  setPriority(CALLERS_NICENESS)
  process.on('disconnect', () => process.exit(0)) // the scenario is gone (or failed): so are we
  let setup: CallersSetup | undefined
  let agent: Agent | undefined
  const send = (report: CallersReport) => process.send?.(report)
  const request = (path: string) =>
    new Promise<number>((resolve, reject) => {
      get(
        `${setup!.baseUrl}${path}`,
        { agent: agent!, headers: { authorization: `Bearer ${setup!.token}` } },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      ).on('error', reject)
    })
  process.on('message', (command: CallersCommand) => {
    if (command.kind === 'setup') {
      setup = command
      agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: command.calls })
      // Open the keep-alive connections first: what is measured is the calls in flight, not
      // a thousand TCP handshakes at once overflowing a listen backlog.
      void Promise.all(
        Array.from({ length: command.calls }, () => request('/healthz').catch(() => 0)),
      ).then(() => send({ kind: 'ready' }))
      return
    }
    if (command.kind === 'close') {
      agent!.destroy()
      setTimeout(() => process.exit(0), 100)
      return
    }
    const durationsUs: number[] = []
    const statuses: Record<string, number> = {}
    const call = async () => {
      const t0 = performance.now()
      try {
        const status = await request('/api/movies')
        statuses[status] = (statuses[status] ?? 0) + 1
      } catch (error) {
        const key = (error as Error).message
        statuses[key] = (statuses[key] ?? 0) + 1
      }
      durationsUs.push((performance.now() - t0) * 1000)
    }
    void Promise.all(Array.from({ length: setup!.calls }, call)).then(() =>
      send({ kind: 'done', durationsUs, statuses }),
    )
  })
}

if (process.send !== undefined) main()
