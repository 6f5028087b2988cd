/** Fresh, self-cleaning BlobStores for the contract suite: a temp dir per disk store, a schema per PostgreSQL one. */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createDiskBlobStore } from '../../src/blobs/disk-blob-store.js'
import { createMemoryBlobStore } from '../../src/blobs/memory-blob-store.js'
import { createPostgresBlobStore } from '../../src/blobs/postgres-blob-store.js'
import type { BlobStore } from '../../src/domain/blob-store.js'
import { createPostgresStore } from '../../src/store/postgres-store.js'
import type { BlobHandle } from './blob-store.contract.js'
import { PG_URL } from './store-factories.js'

export function newMemoryBlobStore(): Promise<BlobHandle> {
  const blobs = createMemoryBlobStore()
  return Promise.resolve({
    blobs,
    leaveCrashLeftover: () => Promise.resolve(),
    partials: () => Promise.resolve(0),
    cleanup: () => blobs.close(),
  })
}

export async function newDiskBlobStore(): Promise<BlobHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-blobs-'))
  const blobs = await createDiskBlobStore({ dir })
  return {
    blobs,
    another: () => createDiskBlobStore({ dir }),
    leaveCrashLeftover: async (ageMs) => {
      const path = join(dir, 'tmp', `${randomUUID()}.${randomUUID()}.part`)
      await writeFile(path, randomBytes(5000))
      const then = new Date(Date.now() - ageMs)
      await utimes(path, then, then)
    },
    partials: async () => (await readdir(join(dir, 'tmp'))).length,
    cleanup: async () => {
      await blobs.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A BlobStore on a fresh schema migrated by the Store (migration 7 makes the tables). */
export async function newPostgresBlobStore(): Promise<BlobHandle> {
  const schema = `eddy_blobs_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const store = await createPostgresStore({ url: PG_URL, schema, poolMax: 2 })
  await store.migrate()
  await store.close()
  const opened: BlobStore[] = []
  // Small chunks, so the cases cross many chunk boundaries without moving many bytes.
  const open = (url = PG_URL): BlobStore => {
    const blobs = createPostgresBlobStore({ url, schema, poolMax: 2, chunkBytes: 64 * 1024 })
    opened.push(blobs)
    return blobs
  }
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  return {
    blobs: open(),
    another: () => Promise.resolve(open()),
    unreachable: () =>
      Promise.resolve(
        (() => {
          const down = createPostgresBlobStore({
            url: 'postgres://postgres@127.0.0.1:1/test',
            connectionTimeoutMs: 1_000,
          })
          opened.push(down)
          return down
        })(),
      ),
    leaveCrashLeftover: (ageMs) =>
      admin(async (client) => {
        const id = randomUUID()
        await client.query(
          'insert into blobs (id, chunk_bytes, created_at) values ($1, 65536, $2)',
          [id, Date.now() - ageMs],
        )
        await client.query('insert into blob_chunks (blob_id, n, data) values ($1, 0, $2)', [
          id,
          randomBytes(5000),
        ])
      }),
    partials: () =>
      admin(async (client) => {
        const rows = await client.query<{ count: string }>(
          `select count(*) from blob_chunks c join blobs b on b.id = c.blob_id where not b.complete`,
        )
        const unfinished = await client.query<{ count: string }>(
          'select count(*) from blobs where not complete',
        )
        // A partial blob is a row not complete; chunks without one cannot exist (cascade).
        return Math.max(
          Number(unfinished.rows[0]?.count ?? 0),
          Number(rows.rows[0]?.count ?? 0) > 0 ? 1 : 0,
        )
      }),
    cleanup: async () => {
      for (const blobs of opened) await blobs.close()
      await admin((client) => client.query(`drop schema if exists ${schema} cascade`))
    },
  }
}
