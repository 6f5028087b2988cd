/** Child process for sqlite-processes.test.ts: opens the shared file, migrates, appends, reports. */
import { createSqliteStore } from '../../src/store/sqlite-store.js'

const [file, worker, count] = process.argv.slice(2)
const store = await createSqliteStore({ file: file ?? '' })
await store.migrate()
// One awaited append at a time: each is its own transaction, so the processes interleave often.
const seqs: number[] = []
for (let i = 0; i < Number(count); i++) {
  const result = await store.append({
    id: `w${worker}-${i}`,
    room: 'lobby',
    userId: `worker${worker}`,
    username: `worker${worker}`,
    text: 'hi',
    cid: `c${i}`,
    ts: Date.now(),
  })
  seqs.push(result.message.seq)
}
await store.close()
process.stdout.write(JSON.stringify(seqs))
