/** The few HTTP calls a chaos run makes: register its users, create its rooms, read the history. */
import type { StoredMessage } from './verify.js'

const PAGE = 200

async function call(url: string, init: RequestInit, token?: string): Promise<Response> {
  const headers = new Headers(init.headers)
  if (init.body !== undefined) headers.set('content-type', 'application/json')
  if (token) headers.set('authorization', `Bearer ${token}`)
  return fetch(url, { ...init, headers })
}

export async function registerUser(
  baseUrl: string,
  username: string,
): Promise<{ username: string; token: string }> {
  // Random, long and not the username: passes any password policy.
  const password = `chaos ${crypto.randomUUID()} Qv7!`
  const res = await call(`${baseUrl}/api/register`, {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { token: string }
  return { username, token: body.token }
}

export async function createRoom(baseUrl: string, token: string, name: string): Promise<void> {
  const res = await call(
    `${baseUrl}/api/rooms`,
    { method: 'POST', body: JSON.stringify({ name }) },
    token,
  )
  if (res.status >= 300 && res.status !== 409)
    throw new Error(`create room ${name}: ${res.status} ${await res.text()}`)
  await res.arrayBuffer()
}

/** The room's whole history, oldest first, in pages. */
export async function readHistory(
  baseUrl: string,
  token: string,
  room: string,
): Promise<StoredMessage[]> {
  const all: StoredMessage[] = []
  for (;;) {
    const after = all.at(-1)?.seq ?? 0
    const res = await call(
      `${baseUrl}/api/rooms/${room}/messages?after=${after}&limit=${PAGE}`,
      {},
      token,
    )
    if (res.status !== 200) throw new Error(`history of ${room}: ${res.status} ${await res.text()}`)
    const body = (await res.json()) as { messages: StoredMessage[] }
    all.push(...body.messages.map((m) => ({ seq: m.seq, cid: m.cid, user: m.user })))
    if (body.messages.length < PAGE) return all
  }
}
