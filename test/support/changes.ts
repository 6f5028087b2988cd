/** Helpers for messages that change: write frames and await their ack or error, and read a room over HTTP. */
import { expect } from 'vitest'
import type { ServerFrame, TimelineMessage } from '../../src/protocol/frames.js'
import { api, type ChatClient, type TestUser } from './clients.js'

let counter = 0

export function newCid(prefix = 'c'): string {
  counter += 1
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}

type Outcome = { readonly ack: number } | { readonly error: string }

/** Sends a frame that carries a cid (one is added when missing) and resolves with its ack or error. */
export async function write(client: ChatClient, frame: Record<string, unknown>): Promise<Outcome> {
  const cid = typeof frame['cid'] === 'string' ? frame['cid'] : newCid(String(frame['type']))
  const answer = client.answerTo(cid)
  client.send({ ...frame, cid })
  const frameBack = await answer
  return frameBack.type === 'ack' ? { ack: frameBack.seq } : { error: frameBack.code }
}

/** The seq of an acked write; fails the test when it was refused. */
export async function acked(client: ChatClient, frame: Record<string, unknown>): Promise<number> {
  const outcome = await write(client, frame)
  if ('error' in outcome) throw new Error(`${String(frame['type'])} refused: ${outcome.error}`)
  return outcome.ack
}

/** The error code of a refused write; fails the test when it was acked. */
export async function refused(client: ChatClient, frame: Record<string, unknown>): Promise<string> {
  const outcome = await write(client, frame)
  if ('ack' in outcome) throw new Error(`${String(frame['type'])} was acked at ${outcome.ack}`)
  return outcome.error
}

export async function timeline(
  baseUrl: string,
  user: TestUser,
  room: string,
  query = 'limit=200',
): Promise<TimelineMessage[]> {
  const response = await api(baseUrl, `/api/rooms/${room}/messages?${query}`, {
    token: user.token,
  })
  expect(response.status).toBe(200)
  return (response.body as { messages: TimelineMessage[] }).messages
}

export async function log(
  baseUrl: string,
  user: TestUser,
  room: string,
  after: number,
): Promise<ServerFrame[]> {
  const response = await api(baseUrl, `/api/rooms/${room}/messages?after=${after}&limit=200`, {
    token: user.token,
  })
  expect(response.status).toBe(200)
  return (response.body as { messages: ServerFrame[] }).messages
}

/** The room's log events (not presence, typing, acks) this client received, in arrival order. */
export function logEvents(client: ChatClient, room: string): ServerFrame[] {
  const kinds = ['message', 'edit', 'delete', 'reaction', 'member', 'room']
  return client.frames.filter((f) => kinds.includes(f.type) && 'room' in f && f.room === room)
}
