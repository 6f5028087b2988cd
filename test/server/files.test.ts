// Files over real HTTP and WebSocket: the type sniffed from the bytes, the serving rules that keep
// HTML and SVG from running on our origin, attachments on messages, ranges, and membership.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FileView } from '../../src/protocol/files.js'
import { api, ChatClient, registerUser } from '../support/clients.js'
import {
  download,
  GIF_3x2,
  HTML_PAGE,
  JPEG_1x1,
  png,
  SVG_IMAGE,
  upload,
  uploaded,
  WEBP_1x1,
} from '../support/files.js'
import { startServer } from '../support/start-server.js'

const FILE_CSP = "default-src 'none'; sandbox"

function expectSafeHeaders(headers: Headers): void {
  expect(headers.get('x-content-type-options')).toBe('nosniff')
  expect(headers.get('content-security-policy')).toBe(FILE_CSP)
}

describe('uploads and the serving rules', () => {
  it('images are sniffed, measured and served inline with their type; private immutable caching', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const image = png(40, 30)
    // Named and declared as something else: the bytes decide.
    const answer = await upload(server.url, alice.token, 'lobby', 'notes.txt', image, 'text/plain')
    expect(answer.status).toBe(201)
    const file = (answer.body as { file: FileView }).file
    expect(file).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      name: 'notes.txt',
      size: image.length,
      type: 'image/png',
      width: 40,
      height: 30,
      url: `/api/rooms/lobby/files/${file.id}`,
    })
    const got = await download(server.url, alice.token, file.url)
    expect(got.status).toBe(200)
    expect(got.bytes.equals(image)).toBe(true)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(got.headers.get('content-disposition')).toMatch(/^inline; /)
    expect(got.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/)
    expectSafeHeaders(got.headers)

    for (const [name, bytes, type, width, height] of [
      ['a.jpg', JPEG_1x1, 'image/jpeg', 1, 1],
      ['b.gif', GIF_3x2, 'image/gif', 3, 2],
      ['c.webp', WEBP_1x1, 'image/webp', 1, 1],
    ] as const) {
      const view = await uploaded(server.url, alice.token, 'lobby', name, bytes)
      expect(view).toMatchObject({ type, width, height })
      const served = await download(server.url, alice.token, view.url)
      expect(served.headers.get('content-type')).toBe(type)
      expect(served.headers.get('content-disposition')).toMatch(/^inline; /)
    }
  })

  it('HTML (also named .png and declared image/png) and SVG are stored as what they are and served as downloads', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const cases = [
      ['page.html', HTML_PAGE, 'text/html'],
      ['cat.png', HTML_PAGE, 'text/html'],
      ['logo.svg', SVG_IMAGE, 'image/svg+xml'],
    ] as const
    for (const [name, bytes, type] of cases) {
      const answer = await upload(server.url, alice.token, 'lobby', name, bytes, 'image/png')
      expect(answer.status).toBe(201)
      const file = (answer.body as { file: FileView }).file
      expect(file).toMatchObject({ name, type })
      expect(file.width).toBeUndefined()
      const got = await download(server.url, alice.token, file.url)
      expect(got.status).toBe(200)
      expect(got.bytes.equals(bytes)).toBe(true)
      // Never text/html or image/svg+xml from our origin: bytes to save, in a sandbox anyway.
      expect(got.headers.get('content-type')).toBe('application/octet-stream')
      expect(got.headers.get('content-disposition')).toBe(
        `attachment; filename="${name}"; filename*=UTF-8''${name}`,
      )
      expectSafeHeaders(got.headers)
    }
  })

  it('answers byte ranges: 206 with the slice, 416 past the end', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, i) => 32 + (i % 90)))
    const file = await uploaded(server.url, alice.token, 'lobby', 'big.txt', bytes)
    expect(file.type).toBe('text/plain')
    const part = await download(server.url, alice.token, file.url, { range: 'bytes=100-199' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`)
    expect(part.bytes.equals(bytes.subarray(100, 200))).toBe(true)
    const tail = await download(server.url, alice.token, file.url, { range: 'bytes=-10' })
    expect(tail.status).toBe(206)
    expect(tail.bytes.equals(bytes.subarray(bytes.length - 10))).toBe(true)
    const open = await download(server.url, alice.token, file.url, { range: 'bytes=49990-' })
    expect(open.bytes.equals(bytes.subarray(49_990))).toBe(true)
    const past = await download(server.url, alice.token, file.url, { range: 'bytes=50000-' })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
    expectSafeHeaders(past.headers)
  })
})

describe('attachments', () => {
  it('a message carries its files to every reader, the timeline and the log; others see a file only once it is attached', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const bob = await registerUser(server.url)
    const image = await uploaded(server.url, alice.token, 'lobby', 'shot.png', png(8, 6))
    const doc = await uploaded(server.url, alice.token, 'lobby', 'plan.pdf', '%PDF-1.4\n%…')
    // Not yet sent: only its uploader can fetch it.
    expect((await download(server.url, bob.token, image.url)).status).toBe(404)

    const sender = await ChatClient.connect(server.wsUrl, alice.token)
    const reader = await ChatClient.connect(server.wsUrl, bob.token)
    await sender.join('lobby')
    await reader.join('lobby')
    sender.send({
      type: 'send',
      room: 'lobby',
      text: '',
      cid: 'f1',
      attachments: [image.id, doc.id],
    })
    const ack = await sender.next('ack', (f) => f.cid === 'f1')
    const seen = await reader.next('message', (f) => f.cid === 'f1')
    expect(seen.attachments).toEqual([image, doc])
    expect(seen.text).toBe('')
    const fetched = await download(server.url, bob.token, image.url)
    expect(fetched.status).toBe(200)

    const timeline = await api(server.url, '/api/rooms/lobby/messages', { token: bob.token })
    const log = await api(server.url, `/api/rooms/lobby/messages?after=${ack.seq - 1}`, {
      token: bob.token,
    })
    for (const page of [timeline, log]) {
      const messages = (page.body as { messages: Array<{ seq: number; attachments?: unknown }> })
        .messages
      expect(messages.find((m) => m.seq === ack.seq)?.attachments).toEqual([image, doc])
    }

    // Attached once: the same file cannot go on a second message, nor can someone else's.
    sender.send({ type: 'send', room: 'lobby', text: 'again', cid: 'f2', attachments: [image.id] })
    expect(await sender.next('error', (f) => f.cid === 'f2')).toMatchObject({
      code: 'invalid_attachment',
    })
    const bobs = await uploaded(server.url, bob.token, 'lobby', 'mine.gif', GIF_3x2)
    sender.send({ type: 'send', room: 'lobby', text: 'steal', cid: 'f3', attachments: [bobs.id] })
    expect(await sender.next('error', (f) => f.cid === 'f3')).toMatchObject({
      code: 'invalid_attachment',
    })
  })

  it('over HTTP too; a file from another room, the same file twice or too many files are refused', async () => {
    const server = await startServer({ MAX_ATTACHMENTS: '2' })
    const alice = await registerUser(server.url)
    await api(server.url, '/api/rooms', { token: alice.token, body: { name: 'other' } })
    const elsewhere = await uploaded(server.url, alice.token, 'other', 'x.gif', GIF_3x2)
    const files = [
      await uploaded(server.url, alice.token, 'lobby', 'a.gif', GIF_3x2),
      await uploaded(server.url, alice.token, 'lobby', 'b.gif', GIF_3x2),
      await uploaded(server.url, alice.token, 'lobby', 'c.gif', GIF_3x2),
    ]
    const post = (cid: string, attachments: string[], text = 'files') =>
      api(server.url, '/api/rooms/lobby/messages', {
        token: alice.token,
        body: { text, cid, attachments },
      })
    for (const [cid, ids] of [
      ['h1', [elsewhere.id]],
      ['h2', [files[0]!.id, files[0]!.id]],
      ['h3', files.map((f) => f.id)],
    ] as const) {
      const refused = await post(cid, [...ids])
      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({ error: { code: 'invalid_attachment' } })
    }
    const sent = await post('h4', [files[0]!.id, files[1]!.id])
    expect(sent.status).toBe(201)
    expect(sent.body).toMatchObject({ message: { attachments: [files[0], files[1]] } })
    // No text and no files is still blank.
    const blank = await post('h5', [], '')
    expect(blank.status).toBe(400)
  })

  it('deleting a message deletes its files: bytes and records gone before the delete is answered', async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    const bob = await registerUser(server.url)
    const file = await uploaded(server.url, alice.token, 'lobby', 'gone.png', png(6, 6))
    const sent = await api(server.url, '/api/rooms/lobby/messages', {
      token: alice.token,
      body: { text: 'soon gone', cid: 'g1', attachments: [file.id] },
    })
    const seq = (sent.body as { message: { seq: number } }).message.seq
    expect((await download(server.url, bob.token, file.url)).status).toBe(200)
    const stored = async () =>
      (await readdir(join(server.dataDir, 'files'), { recursive: true })).filter((p) =>
        p.endsWith(file.id),
      )
    expect(await stored()).toHaveLength(1)

    const deleted = await api(server.url, `/api/rooms/lobby/messages/${seq}`, {
      method: 'DELETE',
      token: alice.token,
    })
    expect(deleted.status).toBe(200)
    expect(await stored()).toEqual([])
    for (const user of [alice, bob]) {
      const got = await download(server.url, user.token, file.url)
      expect(got.status).toBe(404)
    }
    const timeline = await api(server.url, '/api/rooms/lobby/messages', { token: bob.token })
    const message = (
      timeline.body as {
        messages: Array<{ seq: number; deleted?: boolean; attachments?: unknown }>
      }
    ).messages.find((m) => m.seq === seq)
    expect(message).toMatchObject({ deleted: true })
    expect(message?.attachments).toBeUndefined()
    const log = await api(server.url, `/api/rooms/lobby/messages?after=${seq - 1}&limit=1`, {
      token: bob.token,
    })
    expect(JSON.stringify(log.body)).not.toContain(file.id)
  })

  it("deleting a room deletes its files' bytes", async () => {
    const server = await startServer()
    const alice = await registerUser(server.url)
    await api(server.url, '/api/rooms', { token: alice.token, body: { name: 'doomed' } })
    const file = await uploaded(server.url, alice.token, 'doomed', 'a.png', png(4, 4))
    const stored = async () =>
      (await readdir(join(server.dataDir, 'files'), { recursive: true })).filter((p) =>
        p.endsWith(file.id),
      )
    expect(await stored()).toHaveLength(1)
    const deleted = await api(server.url, '/api/rooms/doomed', {
      method: 'DELETE',
      token: alice.token,
    })
    expect(deleted.status).toBe(204)
    expect(await stored()).toEqual([])
    expect((await download(server.url, alice.token, file.url)).status).toBe(404)
  })
})

describe('membership on files', () => {
  it('a non-member of a private room gets the missing room’s 404 for uploads and downloads; a member gets the file', async () => {
    const server = await startServer()
    const [owner, member, outsider] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ]
    await api(server.url, '/api/rooms', {
      token: owner.token,
      body: { name: 'secret', visibility: 'private' },
    })
    await api(server.url, '/api/rooms/secret/members', {
      token: owner.token,
      body: { username: member.username },
    })
    const file = await uploaded(server.url, owner.token, 'secret', 'plan.png', png(5, 5))
    const sent = await api(server.url, '/api/rooms/secret/messages', {
      token: owner.token,
      body: { text: 'the plan', cid: 's1', attachments: [file.id] },
    })
    expect(sent.status).toBe(201)

    expect((await download(server.url, member.token, file.url)).status).toBe(200)
    const hidden = await download(server.url, outsider.token, file.url)
    const missing = await download(server.url, outsider.token, file.url.replace('secret', 'nope'))
    expect(hidden.status).toBe(404)
    expect(JSON.parse(hidden.bytes.toString())).toEqual(JSON.parse(missing.bytes.toString()))
    expect(JSON.parse(hidden.bytes.toString())).toMatchObject({ error: { code: 'room_not_found' } })

    const intruding = await upload(server.url, outsider.token, 'secret', 'x.png', png(2, 2))
    expect(intruding.status).toBe(404)
    expect(intruding.body).toMatchObject({ error: { code: 'room_not_found' } })
    // A file id from one room asked for under another room is not found there.
    await api(server.url, '/api/rooms/secret/members', {
      token: owner.token,
      body: { username: outsider.username },
    })
    const crossed = await download(server.url, outsider.token, file.url.replace('secret', 'lobby'))
    expect(crossed.status).toBe(404)
  })
})
