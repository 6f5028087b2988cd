// Bad uploads get a clear error and store nothing: over the limit (413, the stream stopped early, no
// partial file on disk or in PostgreSQL), no file field (400), unknown room (404), hostile filenames.
import { request as httpRequest } from 'node:http'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { FileView } from '../../src/protocol/files.js'
import { PG_URL, postgresUnavailable } from '../contract/store-factories.js'
import { api, registerUser } from '../support/clients.js'
import { download, GIF_3x2, multipart, postParts, upload } from '../support/files.js'
import { startServer, startServerOnPostgres, type TestServer } from '../support/start-server.js'

const LIMIT = 64 * 1024
const noPostgres = await postgresUnavailable()

interface Streamed {
  status: number
  body: { error?: { code: string } }
  /** Bytes of the body the client had handed to its socket when the answer came. */
  sentBeforeAnswer: number
  /** The server ends the connection rather than read and discard the rest. */
  connection: string | undefined
  total: number
}

/**
 * POSTs a multipart upload of `total` bytes, chunked, honouring backpressure, and stops writing as
 * soon as the answer arrives: a server that reads the whole body first would take it all.
 */
function streamUpload(server: TestServer, token: string, total: number): Promise<Streamed> {
  const { body: framing, contentType } = multipart([
    { name: 'file', filename: 'huge.bin', data: '' },
  ])
  // The framing with an empty file, split where the file's bytes go.
  const split = framing.indexOf('\r\n--', framing.indexOf('\r\n\r\n'))
  const head = framing.subarray(0, split)
  const tail = framing.subarray(split)
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const req = httpRequest(`${server.url}/api/rooms/lobby/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    })
    req.on('response', (res) => {
      answered = true
      const sentBeforeAnswer = sent
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as Streamed['body'],
          sentBeforeAnswer,
          connection: res.headers.connection,
          total,
        }),
      )
    })
    // The server closes the connection after answering; writes racing that close fail here.
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const pump = (): void => {
      while (!answered && sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) {
          req.once('drain', pump)
          return
        }
      }
      if (!answered) req.end(tail)
    }
    req.write(head)
    pump()
  })
}

async function filesOnDisk(server: TestServer): Promise<string[]> {
  const entries = await readdir(join(server.dataDir, 'files'), {
    recursive: true,
    withFileTypes: true,
  })
  return entries.filter((e) => e.isFile()).map((e) => e.name)
}

function fileRowsInSqlite(server: TestServer): number {
  const db = new BetterSqlite3(join(server.dataDir, 'eddy.sqlite'), { readonly: true })
  try {
    return (db.prepare('select count(*) as n from files').get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('the size limit', () => {
  it('SQLite + disk: 413 while streaming, the rest of the body never read, nothing kept', async () => {
    const server = await startServer({ MAX_UPLOAD_BYTES: String(LIMIT) })
    const alice = await registerUser(server.url)
    const answer = await streamUpload(server, alice.token, 32 * 1024 * 1024)
    expect(answer.status).toBe(413)
    expect(answer.body).toMatchObject({ error: { code: 'file_too_large' } })
    expect(answer.sentBeforeAnswer).toBeLessThan(answer.total / 2)
    expect(answer.connection).toBe('close')
    expect(await filesOnDisk(server)).toEqual([])
    expect(fileRowsInSqlite(server)).toBe(0)
    // The limit itself is fine: a file of exactly LIMIT bytes is taken.
    const exact = await upload(
      server.url,
      alice.token,
      'lobby',
      'exact.bin',
      Buffer.alloc(LIMIT, 1),
    )
    expect(exact.status).toBe(201)
    expect(fileRowsInSqlite(server)).toBe(1)
  })

  it.skipIf(noPostgres !== undefined)(
    'PostgreSQL: 413 while streaming, no blob rows, no chunks, no file record',
    async () => {
      const schema = `eddy_up_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
      const server = await startServerOnPostgres({
        MAX_UPLOAD_BYTES: String(LIMIT),
        PG_SCHEMA: schema,
      })
      const alice = await registerUser(server.url)
      const answer = await streamUpload(server, alice.token, 32 * 1024 * 1024)
      expect(answer.status).toBe(413)
      expect(answer.sentBeforeAnswer).toBeLessThan(answer.total / 2)
      const admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      try {
        for (const table of ['blobs', 'blob_chunks', 'files']) {
          const rows = await admin.query<{ n: string }>(
            `select count(*) as n from ${schema}.${table}`,
          )
          expect(Number(rows.rows[0]?.n), table).toBe(0)
        }
      } finally {
        await admin.end()
      }
    },
  )

  it('a body declared larger than the limit is refused before it is read', async () => {
    const server = await startServer({ MAX_UPLOAD_BYTES: String(LIMIT) })
    const alice = await registerUser(server.url)
    const { body, contentType } = multipart([{ name: 'file', filename: 'a.bin', data: 'x' }])
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/rooms/lobby/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.token}`,
          'content-type': contentType,
          'content-length': String(LIMIT * 100),
        },
      })
      req.on('response', (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      })
      req.on('error', reject)
      // Only the start is ever sent: the answer must not wait for the rest.
      req.write(body.subarray(0, 100))
    })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'file_too_large' } })
  })
})

describe('other bad uploads', () => {
  it('no file field is 400 no_file: fields only, a file under another name, an empty file input, JSON, a malformed body', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const attempts = [
      postParts(server.url, alice.token, 'lobby', [{ name: 'note', data: 'hello' }]),
      postParts(server.url, alice.token, 'lobby', [
        { name: 'attachment', filename: 'a.gif', data: GIF_3x2 },
      ]),
      postParts(server.url, alice.token, 'lobby', [{ name: 'file', filename: '', data: '' }]),
      api(server.url, '/api/rooms/lobby/files', { token: alice.token, body: { file: 'x' } }),
    ]
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ error: { code: 'no_file' } })
    }
    const malformed = await fetch(`${server.url}/api/rooms/lobby/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data' },
      body: 'no boundary at all',
    })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_request' } })
    expect(await filesOnDisk(server)).toEqual([])
  })

  it('an unknown room is 404, signed out is 401, and uploads are rate-limited per user', async () => {
    const server = await startServer({ UPLOADS_PER_MINUTE: '2' })
    const alice = await registerUser(server.url)
    const unknown = await upload(server.url, alice.token, 'no-such-room', 'a.gif', GIF_3x2)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: { code: 'room_not_found' } })
    const anonymous = await upload(server.url, 'not-a-token', 'lobby', 'a.gif', GIF_3x2)
    expect(anonymous.status).toBe(401)
    expect((await upload(server.url, alice.token, 'lobby', 'b.gif', GIF_3x2)).status).toBe(201)
    const limited = await upload(server.url, alice.token, 'lobby', 'c.gif', GIF_3x2)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('filenames lose directories, NUL, line breaks and bidi controls, and long ones keep their extension', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const named = async (part: { filename?: string; filenameStar?: string }) => {
      const answer = await postParts(server.url, alice.token, 'lobby', [
        { name: 'file', ...part, data: 'plain text' },
      ])
      expect(answer.status, JSON.stringify([part, answer.body])).toBe(201)
      return (answer.body as { file: FileView }).file
    }
    expect((await named({ filename: '../../etc/passwd' })).name).toBe('passwd')
    expect((await named({ filename: '..\\..\\windows\\win.ini' })).name).toBe('win.ini')
    expect((await named({ filename: '..' })).name).toBe('file')
    expect((await named({ filenameStar: "UTF-8''a%00b.txt" })).name).toBe('ab.txt')
    expect((await named({ filenameStar: "UTF-8''a%07b%09c.txt" })).name).toBe('abc.txt')
    // A line break in a part's filename makes the multipart parser drop the part: nothing stored.
    const broken = await postParts(server.url, alice.token, 'lobby', [
      { name: 'file', filenameStar: "UTF-8''evil%0D%0AX-Injected%3A%201.txt", data: 'x' },
    ])
    expect(broken.status).toBe(400)
    expect(broken.body).toMatchObject({ error: { code: 'no_file' } })
    expect((await named({ filenameStar: "UTF-8''%E2%80%AEgnp.exe" })).name).toBe('gnp.exe')
    const long = await named({ filename: `${'x'.repeat(300)}.png` })
    expect([...long.name]).toHaveLength(120)
    expect(long.name.endsWith('.png')).toBe(true)
    const quoted = await named({ filenameStar: "UTF-8''%22q%22%20%E7%94%B5%E5%BD%B1.txt" })
    expect(quoted.name).toBe('"q" 电影.txt')
    const got = await download(server.url, alice.token, quoted.url)
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="_q_ __.txt"; filename*=UTF-8''%22q%22%20%E7%94%B5%E5%BD%B1.txt`,
    )
    // Nothing was written outside the blob store, under any of those names.
    const names = await filesOnDisk(server)
    expect(names.every((n) => /^[0-9a-f-]{36}$/.test(n))).toBe(true)
  })
})
