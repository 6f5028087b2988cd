/**
 * What parked long-polls cost (issue #4): park N polls on one Eddy process, read its RSS growth,
 * then wake them all with one message.   npx tsx bench/long-poll-memory.ts [N]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'

const N = Number(process.argv[2] ?? 2000)
const PORT = 18950
const base = `http://127.0.0.1:${PORT}`
const child = spawn(process.execPath, ['dist/main.js'], {
  env: {
    ...process.env,
    PORT: String(PORT),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'eddy-poll-')),
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
  },
  stdio: 'inherit',
})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const rssKiB = (): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0)
const parked = async (): Promise<number> =>
  ((await (await fetch(`${base}/healthz`)).json()) as { parkedPolls: number }).parkedPolls

for (let i = 0; i < 100; i++) {
  const up = await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  )
  if (up) break
  await sleep(100)
}
const registered = await fetch(`${base}/api/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'poller', password: 'password-123' }),
})
const { token } = (await registered.json()) as { token: string }
const headers = { authorization: `Bearer ${token}` }
const agent = new Agent({ connections: N + 10 })
const poll = (waitS: number) =>
  request(`${base}/api/rooms/lobby/messages?after=0&wait=${waitS}`, { dispatcher: agent, headers })
await (await poll(1)).body.text()
await sleep(1000)

const before = rssKiB()
const pending = Array.from({ length: N }, () => poll(20).then((res) => res.body.json()))
for (let i = 0; i < 200 && (await parked()) < N; i++) await sleep(100)
const count = await parked()
const after = rssKiB()
console.log(
  `parked ${count} long-polls: RSS ${before} → ${after} KiB, ` +
    `${((after - before) / count).toFixed(1)} KiB per parked poll (its TCP connection included)`,
)
await fetch(`${base}/api/rooms/lobby/messages`, {
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ text: 'wake up', cid: 'wake' }),
})
const started = Date.now()
const answers = await Promise.all(pending)
console.log(`one message answered all ${answers.length} in ${Date.now() - started} ms`)
child.kill('SIGTERM')
await agent.close()
