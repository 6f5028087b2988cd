/** The only outbound HTTP in Eddy: one shared undici Agent with timeouts, size caps, manual redirects and the SSRF guard. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
import { createGuardedConnector, isSsrfBlockedError, precheckUrl } from './ssrf-guard.js'

export type UpstreamReason =
  | 'timeout'
  | 'too_large'
  | 'bad_status'
  | 'network'
  | 'blocked'
  | 'too_many_redirects'
  | 'bad_content'
  | 'aborted'

/** Every failure of an outbound call; routes map it to 502 (ErrorCode 'upstream_error'). */
export class UpstreamError extends Error {
  readonly reason: UpstreamReason
  readonly url: string
  readonly status: number | undefined

  constructor(
    reason: UpstreamReason,
    url: string,
    message: string,
    options?: { status?: number; cause?: unknown },
  ) {
    super(`${reason}: ${message}`, { cause: options?.cause })
    this.name = 'UpstreamError'
    this.reason = reason
    this.url = url
    this.status = options?.status
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError
}

export interface HttpClientOptions {
  /** Let upstreams on private/loopback addresses through (ALLOW_PRIVATE_UPSTREAMS=1). Default false. */
  readonly allowPrivate?: boolean
  /** Connect, headers and body timeouts, and the default total deadline per call. Default 5 s. */
  readonly timeoutMs?: number
  /**
   * Sockets per origin. Tornado's AsyncHTTPClient defaults to max_clients=10, so the 11th
   * concurrent call waits for a free slot; a slow upstream then looks 100× slower under load.
   */
  readonly connectionsPerOrigin?: number
  /** Default response body cap. Default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Default redirect limit. Default 3. */
  readonly maxRedirects?: number
  readonly userAgent?: string
  /** Address policy override (default: ssrf-guard's isBlockedAddress); ignored when allowPrivate. */
  readonly isBlockedAddress?: (address: string) => boolean
}

export interface RequestOptions {
  readonly method?: 'GET' | 'HEAD'
  readonly headers?: Readonly<Record<string, string>>
  /** Caller's cancellation (e.g. the inbound request closed); combined with the deadline. */
  readonly signal?: AbortSignal
  /** Total deadline for the call, every redirect hop included. */
  readonly timeoutMs?: number
  readonly maxBodyBytes?: number
  readonly maxRedirects?: number
  /** Checked on the final response's content-type before the body is read: false → 'bad_content'. */
  readonly acceptContentType?: (contentType: string) => boolean
  /** Which statuses count as success. Default 200-299; others → 'bad_status'. */
  readonly okStatus?: (status: number) => boolean
}

export interface UpstreamResponse {
  readonly status: number
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  /** The URL after redirects. */
  readonly url: string
}

export interface HttpClient {
  request(url: string, options?: RequestOptions): Promise<UpstreamResponse>
  /** Pays undici's one-time start-up now (warmUpUndici), not in the first real call. */
  warmUp(): Promise<void>
  /** Waits for in-flight calls, then closes every socket. */
  close(): Promise<void>
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const DEFAULT_TIMEOUT_MS = 5_000
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** Drops an unread body; destroying it frees the socket without reading an attacker's bytes. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {}) // the abort we cause ourselves is not news
  body.destroy()
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])

/** The caller's headers for one hop; credentials never follow a redirect to another origin. */
function hopHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  sameOrigin: boolean,
): Record<string, string> {
  if (headers === undefined) return {}
  if (sameOrigin) return { ...headers }
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
  )
}

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = []
  let current: unknown = error
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current)
    current = current instanceof Error ? current.cause : undefined
  }
  return chain
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

/** Maps undici, DNS, socket and abort errors to one UpstreamError reason. */
function toUpstreamError(error: unknown, url: string, deadline: AbortSignal, caller?: AbortSignal) {
  if (isUpstreamError(error)) return error
  const chain = errorChain(error)
  if (chain.some(isSsrfBlockedError)) {
    const blocked = chain.find(isSsrfBlockedError)
    return new UpstreamError('blocked', url, blocked?.message ?? 'blocked', { cause: error })
  }
  const codes = chain.map(codeOf)
  const timedOut =
    deadline.aborted ||
    codes.some((c) => c !== undefined && /TIMEOUT|ETIMEDOUT/.test(c)) ||
    chain.some((e) => e instanceof Error && e.name === 'TimeoutError')
  if (timedOut) return new UpstreamError('timeout', url, 'upstream timed out', { cause: error })
  if (caller?.aborted === true)
    return new UpstreamError('aborted', url, 'aborted', { cause: error })
  const message = error instanceof Error ? error.message : String(error)
  return new UpstreamError('network', url, message, { cause: error })
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const allowPrivate = options.allowPrivate ?? false
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 1024,
    pipelining: 1,
    keepAliveTimeout: 10_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: createGuardedConnector({
      allowPrivate,
      connectTimeoutMs: timeoutMs,
      ...(options.isBlockedAddress ? { isBlocked: options.isBlockedAddress } : {}),
    }),
  })
  const baseHeaders: Record<string, string> = {
    'user-agent': options.userAgent ?? 'EddyBot/0.1 (+link previews; chat server)',
  }

  async function request(rawUrl: string, req: RequestOptions = {}): Promise<UpstreamResponse> {
    const callTimeoutMs = req.timeoutMs ?? timeoutMs
    const maxBodyBytes = req.maxBodyBytes ?? options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const maxRedirects = req.maxRedirects ?? options.maxRedirects ?? 3
    const okStatus = req.okStatus ?? ((s: number) => s >= 200 && s < 300)
    const deadline = AbortSignal.timeout(callTimeoutMs)
    const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline

    let url: URL
    try {
      url = new URL(rawUrl)
    } catch (cause) {
      throw new UpstreamError('blocked', rawUrl, 'not a valid URL', { cause })
    }

    const firstOrigin = url.origin
    try {
      for (let hop = 0; ; hop++) {
        const refusal = precheckUrl(url, allowPrivate, options.isBlockedAddress)
        if (refusal !== undefined) throw new UpstreamError('blocked', url.href, refusal)
        const res = await agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: req.method ?? 'GET',
          headers: { ...baseHeaders, ...hopHeaders(req.headers, url.origin === firstOrigin) },
          signal,
          headersTimeout: callTimeoutMs,
          bodyTimeout: callTimeoutMs,
        })
        const headers = flattenHeaders(res.headers)
        const location = headers['location']
        if (REDIRECT_STATUSES.has(res.statusCode) && location !== undefined) {
          discard(res.body)
          if (hop >= maxRedirects) {
            throw new UpstreamError('too_many_redirects', url.href, `more than ${maxRedirects}`)
          }
          try {
            url = new URL(location, url)
          } catch (cause) {
            throw new UpstreamError('network', url.href, 'bad redirect location', { cause })
          }
          continue
        }
        if (!okStatus(res.statusCode)) {
          discard(res.body)
          throw new UpstreamError('bad_status', url.href, `status ${res.statusCode}`, {
            status: res.statusCode,
          })
        }
        const contentType = headers['content-type'] ?? ''
        if (req.acceptContentType && !req.acceptContentType(contentType)) {
          discard(res.body)
          throw new UpstreamError('bad_content', url.href, `content-type ${contentType || 'none'}`)
        }
        const declared = Number(headers['content-length'])
        if (Number.isFinite(declared) && declared > maxBodyBytes) {
          discard(res.body)
          throw new UpstreamError('too_large', url.href, `content-length ${declared}`)
        }
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of res.body) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
          size += buf.length
          if (size > maxBodyBytes) {
            discard(res.body)
            throw new UpstreamError('too_large', url.href, `body over ${maxBodyBytes} bytes`)
          }
          chunks.push(buf)
        }
        return { status: res.statusCode, headers, body: Buffer.concat(chunks), url: url.href }
      }
    } catch (error) {
      throw toUpstreamError(error, url.href, deadline, req.signal)
    }
  }

  return { request, warmUp: warmUpUndici, close: () => agent.close() }
}

let warmedUp: Promise<void> | undefined

/**
 * One request through undici to a throwaway loopback server. undici loads its HTTP parser (and
 * compiles it: WebAssembly) on its first connection, synchronously, with its cold code paths:
 * ~25 ms here, which would otherwise stall every chat on the node at the first link preview or
 * movies call after a start. A separate, unguarded Agent is enough: the parser is shared.
 */
export function warmUpUndici(): Promise<void> {
  warmedUp ??= (async () => {
    const server = createServer((_req, res) => res.end('warm'))
    const agent = new Agent({ connections: 1 })
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', resolve)
      })
      const { port } = server.address() as AddressInfo
      const res = await agent.request({
        origin: `http://127.0.0.1:${port}`,
        path: '/',
        method: 'GET',
      })
      await res.body.text()
    } finally {
      await agent.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })()
  return warmedUp
}
