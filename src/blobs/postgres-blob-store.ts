/**
 * The many-node BlobStore: blobs as bytea chunks in PostgreSQL (tables of migration 7), so every
 * node serves every file. Chunks rather than large objects: large objects live in the database-wide
 * pg_largeobject, outside PG_SCHEMA, are not removed with their rows (orphans need lo_unlink or
 * vacuumlo), and are read only inside a transaction through lo_* calls; plain chunk rows follow
 * the schema, go with a cascade, need no extra dependency, and a range read fetches only the
 * chunks it covers. Each chunk is its own short statement: no transaction or connection is held
 * open while a slow client uploads, and an unfinished blob stays invisible (`complete` false)
 * until its last chunk is in.
 */
import pg from 'pg'
import { assertBlobId, type BlobStore, type ByteRange } from '../domain/blob-store.js'
import { ChatError, isChatError } from '../domain/errors.js'
import { drain, putFailure } from './drain.js'

export interface PostgresBlobStoreOptions {
  readonly url: string
  /** The schema Eddy's tables live in (PG_SCHEMA); default: the server's search_path. */
  readonly schema?: string
  readonly poolMax?: number
  /** Bytes per chunk row (default 256 KiB): big enough to be few, small enough to stream. */
  readonly chunkBytes?: number
  readonly connectionTimeoutMs?: number
  readonly statementTimeoutMs?: number
  readonly applicationName?: string
  readonly onConnectionError?: (error: Error) => void
}

const DEFAULT_CHUNK_BYTES = 256 * 1024
/** Chunks fetched per query while reading: bounds the memory one download holds. */
const CHUNKS_PER_READ = 4

export function createPostgresBlobStore(options: PostgresBlobStoreOptions): BlobStore {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new TypeError(`Invalid schema name ${JSON.stringify(options.schema)}`)
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 4,
    application_name: options.applicationName ?? 'eddy-blobs',
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 2_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  })
  pool.on('error', (error) => options.onConnectionError?.(error))
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionError?.(error))
  })
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values)
    } catch (error) {
      throw new ChatError('store_unavailable', 'The file storage failed.', { cause: error })
    }
  }
  // Blobs this instance is writing, which its sweep must leave alone whatever their age.
  const writing = new Set<string>()

  async function put(id: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    assertBlobId(id)
    writing.add(id)
    let started = false
    try {
      await query('insert into blobs (id, chunk_bytes, created_at) values ($1, $2, $3)', [
        id,
        chunkBytes,
        Date.now(),
      ])
      started = true
      let n = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (bytes: Buffer): Promise<void> => {
        await query('insert into blob_chunks (blob_id, n, data) values ($1, $2, $3)', [
          id,
          n++,
          bytes,
        ])
      }
      const size = await drain(source, async (chunk) => {
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        pendingBytes += chunk.byteLength
        while (pendingBytes >= chunkBytes) {
          const all = Buffer.concat(pending)
          await flush(all.subarray(0, chunkBytes))
          pending = [all.subarray(chunkBytes)]
          pendingBytes = all.byteLength - chunkBytes
        }
      })
      if (pendingBytes > 0) await flush(Buffer.concat(pending))
      await query('update blobs set size = $2, complete = true where id = $1', [id, size])
      return size
    } catch (error) {
      // The chunks go with their blob row (on delete cascade).
      if (started) await pool.query('delete from blobs where id = $1', [id]).catch(() => undefined)
      throw putFailure(error, (e) =>
        isChatError(e) ? e : new ChatError('store_unavailable', undefined, { cause: e }),
      )
    } finally {
      writing.delete(id)
    }
  }

  async function read(
    id: string,
    range?: ByteRange,
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertBlobId(id)
    const found = await query<{ size: number | string; chunk_bytes: number }>(
      'select size, chunk_bytes from blobs where id = $1 and complete',
      [id],
    )
    const row = found.rows[0]
    if (row === undefined) return undefined
    const size = Number(row.size)
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    return chunks(id, row.chunk_bytes, start, end)
  }

  async function* chunks(
    id: string,
    perChunk: number,
    start: number,
    end: number,
  ): AsyncGenerator<Uint8Array> {
    if (end < start) return
    const first = Math.floor(start / perChunk)
    const last = Math.floor(end / perChunk)
    for (let from = first; from <= last; from += CHUNKS_PER_READ) {
      const to = Math.min(last, from + CHUNKS_PER_READ - 1)
      const result = await query<{ n: number; data: Buffer }>(
        'select n, data from blob_chunks where blob_id = $1 and n between $2 and $3 order by n',
        [id, from, to],
      )
      if (result.rows.length !== to - from + 1) {
        throw new ChatError('file_not_found', 'The file was deleted while it was being read.')
      }
      for (const { n, data } of result.rows) {
        const offset = n * perChunk
        yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1))
      }
    }
  }

  return {
    put,
    read,
    async delete(id) {
      assertBlobId(id)
      await query('delete from blobs where id = $1', [id])
    },
    async sweep(startedBefore) {
      const result = await query<{ id: string }>(
        'select id from blobs where not complete and created_at < $1',
        [startedBefore],
      )
      const stale = result.rows.map((row) => row.id).filter((id) => !writing.has(id))
      if (stale.length === 0) return 0
      const deleted = await query('delete from blobs where id = any($1::text[]) and not complete', [
        stale,
      ])
      return deleted.rowCount ?? 0
    },
    close: () => pool.end(),
  }
}
