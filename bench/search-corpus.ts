/**
 * Search latency at scale: `npx tsx bench/search-corpus.ts [sqlite|postgres ...]`.
 * Fills a fresh store (SQLite under /tmp, or its own PostgreSQL schema, dropped after) with
 * MESSAGES messages (default 1,000,000) through `Store.append`, about a fifth Chinese, then times
 * typical queries through `Store.searchMessages` as a user who is a member of a quarter of the
 * rooms: median and p95 over RUNS runs (default 25) after one warm-up.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import type { Store } from '../src/domain/ports.js'
import type { SearchQuery } from '../src/domain/search-port.js'
import { createPostgresStore } from '../src/store/postgres-store.js'
import { searchFileOf } from '../src/store/sqlite-search-index.js'
import { createSqliteStore } from '../src/store/sqlite-store.js'

const TOTAL = Number(process.env['MESSAGES'] ?? 1_000_000)
const RUNS = Number(process.env['RUNS'] ?? 25)
const ROOMS = 200
const USERS = 100
const IN_FLIGHT = 500
const PG_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

// Deterministic (mulberry32), so both engines get the same corpus.
let seed = 42
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

const WORDS = (
  'the a to and of is in it you that for on with this be are was have not at but we can do ' +
  'meeting deploy release build test review merge branch ticket bug fix lunch coffee today ' +
  'tomorrow weekend please thanks sure maybe later tonight server client database query index ' +
  'latency cache queue worker design doc draft slides demo customer invoice budget plan sprint ' +
  'standup retro blocker issue patch version rollback alert pager oncall incident postmortem ' +
  'hello hi morning ok yes no great nice cool agree wait check look update status ready done'
).split(' ')
// Zipf-like: earlier words are much more frequent.
const word = (): string => WORDS[Math.floor(WORDS.length * random() ** 2.2)]!
const CHINESE = [
  '我们今天晚上去看电影吧',
  '明天上午十点开会讨论项目进度',
  '这个问题已经修复了请大家更新一下',
  '周末一起去吃火锅好不好',
  '服务器又慢了谁在跑大查询',
  '新版本发布之前先做一次完整测试',
  '谢谢你的帮助下次请你喝咖啡',
  '天气很好我们出去走走吧',
  '这部电影的评分很高值得一看',
  '客户说发票还没有收到麻烦跟进一下',
]

function text(): string {
  const roll = random()
  if (roll < 0.2) {
    const sentence = pick(CHINESE)
    const start = Math.floor(random() * 4)
    const body = sentence.slice(start, start + 4 + Math.floor(random() * 12))
    return random() < 0.3 ? `${body} ${word()} ${word()}` : body
  }
  const words = Array.from({ length: 3 + Math.floor(random() * 14) }, word)
  // One message in 10,000 carries a rare word.
  if (random() < 0.0001) words.splice(1, 0, 'zebracorn')
  const sentence = words.join(' ')
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
}

interface Opened {
  store: Store
  size: () => Promise<string>
  cleanup: () => Promise<void>
  /** Closes, leaving the data. */
  keep: () => Promise<void>
  analyze: () => Promise<void>
}

async function open(kind: string): Promise<Opened> {
  if (kind === 'postgres') {
    const schema = `eddy_search_bench_${process.pid}`
    const store = await createPostgresStore({ url: PG_URL, schema, statementTimeoutMs: 600_000 })
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    return {
      store,
      size: async () => {
        const result = await admin.query<{ size: string }>(
          `select pg_size_pretty(pg_total_relation_size('${schema}.messages')) || ' + search table '
            || pg_size_pretty(pg_total_relation_size('${schema}.message_search')) as size`,
        )
        return result.rows[0]?.size ?? '?'
      },
      analyze: async () => {
        // The background indexer fills message_search beside the appends; time the queries once
        // it has caught up (a search would otherwise drain the rest itself, in the warm-up).
        const began = performance.now()
        const queued = async (): Promise<number> =>
          Number(
            (await admin.query<{ n: string }>(`select count(*) as n from ${schema}.search_queue`))
              .rows[0]?.n ?? 0,
          )
        while ((await queued()) > 0) await new Promise((resolve) => setTimeout(resolve, 200))
        console.log(
          `postgres: index complete ${((performance.now() - began) / 1000).toFixed(1)} s after the last append`,
        )
        // As autovacuum would have by then: the planner needs to know how many rooms u0 is in.
        await admin.query(
          `analyze ${schema}.messages, ${schema}.message_search, ${schema}.members, ${schema}.rooms`,
        )
      },
      cleanup: async () => {
        await store.close()
        await admin.query(`drop schema if exists ${schema} cascade`)
        await admin.end()
      },
      keep: async () => {
        await store.close()
        await admin.end()
        console.log(`kept: schema ${schema}`)
      },
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'eddy-search-bench-'))
  const file = join(dir, 'bench.db')
  const store = await createSqliteStore({ file })
  const index = searchFileOf(file)
  return {
    store,
    size: async () =>
      `${Math.round((await stat(file)).size / 2 ** 20)} MB + index ${Math.round((await stat(index)).size / 2 ** 20)} MB`,
    // The index worker builds the index beside the appends; time the queries once it is complete.
    analyze: async () => {
      const began = performance.now()
      const db = new BetterSqlite3(file, { readonly: true })
      db.prepare('attach database ? as search').run(index)
      const behind = db.prepare<[], { n: number }>(
        'select (select max(rowid) from messages) - (select message_rowid from search.search_state) as n',
      )
      while ((behind.get()?.n ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 200))
      db.close()
      console.log(
        `sqlite: index complete ${((performance.now() - began) / 1000).toFixed(1)} s after the last append`,
      )
    },
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
    keep: async () => {
      await store.close()
      console.log(`kept: ${file}`)
    },
  }
}

async function fill(store: Store): Promise<void> {
  for (let u = 0; u < USERS; u++)
    await store.createUser({ id: `u${u}`, username: `user${u}`, passwordHash: 'x', createdAt: 0 })
  for (let r = 0; r < ROOMS; r++) {
    // The searcher (u0) is a member of every fourth room.
    const members = r % 4 === 0 ? [{ userId: 'u0', role: 'member' as const }] : []
    await store.createRoom({
      name: `room${r}`,
      createdAt: 0,
      createdBy: null,
      kind: 'public',
      topic: null,
      members,
    })
  }
  const start = Date.UTC(2026, 0, 1)
  let next = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const i = next++
      await store.append({
        id: `m${i}`,
        room: `room${Math.floor(random() * ROOMS)}`,
        userId: `u${i % USERS}`,
        username: `user${i % USERS}`,
        text: text(),
        cid: `c${i}`,
        // About one message every 30 s of history.
        ts: start + i * 30_000,
      })
      if (i % 100_000 === 99_999)
        console.log(`  ${i + 1} stored, ${((performance.now() - started) / 1000).toFixed(0)} s`)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

const QUERIES: Array<[string, Omit<SearchQuery, 'userId' | 'limit'>]> = [
  ['rare word (zebracorn)', { text: 'zebracorn' }],
  ['common word (deploy)', { text: 'deploy' }],
  ['very common word (the)', { text: 'the' }],
  ['2-char CJK (电影)', { text: '电影' }],
  ['3-char CJK (看电影)', { text: '看电影' }],
  ['CJK + Latin (吧 the)', { text: '吧 the' }],
  ['no match (qxzqv)', { text: 'qxzqv' }],
  ['room filter, common (deploy in room0)', { text: 'deploy', room: 'room0' }],
  ['room filter, 2-char CJK (电影 in room0)', { text: '电影', room: 'room0' }],
]

async function time(store: Store): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = []
  for (const [label, query] of QUERIES) {
    const ask = () => store.searchMessages({ userId: 'u0', limit: 21, ...query })
    let hits = (await ask()).length
    const times: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const began = performance.now()
      hits = (await ask()).length
      times.push(performance.now() - began)
    }
    times.sort((a, b) => a - b)
    const at = (q: number): number =>
      times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!
    rows.push({
      query: label,
      hits,
      'median ms': Number(at(0.5).toFixed(2)),
      'p95 ms': Number(at(0.95).toFixed(2)),
    })
  }
  return rows
}

for (const kind of process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['sqlite']) {
  seed = 42
  const opened = await open(kind)
  try {
    await opened.store.migrate()
    console.log(`${kind}: filling ${TOTAL} messages…`)
    const began = performance.now()
    await fill(opened.store)
    const seconds = (performance.now() - began) / 1000
    await opened.analyze()
    console.log(
      `${kind}: ${TOTAL} messages in ${seconds.toFixed(0)} s (${Math.round(TOTAL / seconds)}/s), ` +
        `messages with indexes ${await opened.size()}`,
    )
    console.table(await time(opened.store))
  } finally {
    // KEEP=1 leaves the data for a look with EXPLAIN (then drop the schema / remove the file yourself).
    if (process.env['KEEP'] === '1') await opened.keep()
    else await opened.cleanup()
  }
}
