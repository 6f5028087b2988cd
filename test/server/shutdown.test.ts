// Graceful shutdown of a real process: SIGTERM closes sockets with 1001, exits 0 quickly, keeps every ack.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { api, ChatClient, registerUser } from '../support/clients.js'
import { freePort, freshDataDir, spawnServer } from '../support/start-server.js'

describe('graceful shutdown', () => {
  // Two real server processes, started one after the other: more than the default 30 s on a busy machine.
  it(
    'SIGTERM: sockets get 1001, parked polls are answered, exit 0 within 5 s; a restart keeps every acked message',
    { timeout: 60_000 },
    async () => {
      const dataDir = freshDataDir()
      const port = String(await freePort())
      const server = await spawnServer({ PORT: port, DATA_DIR: dataDir, RATE_LIMITS: 'off' })
      const user = await registerUser(server.url)
      const client = await ChatClient.connect(server.wsUrl, user.token)
      await client.join('lobby')
      const acked: number[] = []
      for (let i = 0; i < 50; i++)
        client.send({ type: 'send', room: 'lobby', text: `m${i}`, cid: `c${i}` })
      await client.next('ack', (f) => f.cid === 'c49')
      for (const f of client.frames) if (f.type === 'ack') acked.push(f.seq)
      const parked = api(
        server.url,
        `/api/rooms/lobby/messages?after=${Math.max(...acked)}&wait=30`,
        {
          token: user.token,
        },
      )
      // SIGTERM must find the poll parked, not still on its way in.
      await expect
        .poll(
          async () =>
            ((await api(server.url, '/healthz')).body as { parkedPolls: number }).parkedPolls,
        )
        .toBe(1)

      const started = Date.now()
      const exitCode = await server.stop('SIGTERM')
      if (exitCode !== 0) console.log(server.output())
      expect(exitCode).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect((await client.closed).code).toBe(1001)
      expect((await parked).status).toBe(200)

      const again = await spawnServer({ PORT: port, DATA_DIR: dataDir })
      const history = await api(again.url, '/api/rooms/lobby/messages?after=0&limit=200', {
        token: user.token,
      })
      const seqs = (history.body as { messages: Array<{ seq: number }> }).messages.map((m) => m.seq)
      expect(seqs).toEqual(expect.arrayContaining(acked))
      await again.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  )
})
