/** A start-up failure the operator fixes in the environment: printed as one line, no stack trace. */

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StartupError'
  }
}

/** The innermost cause's message ("connect ECONNREFUSED 127.0.0.1:1"), what the engine reported. */
export function rootCause(error: unknown): string {
  let current: unknown = error
  while (current instanceof Error && current.cause !== undefined) current = current.cause
  const message = current instanceof Error ? current.message : String(current)
  // Aggregate connect errors (IPv4 and IPv6 tried) carry their message in their members.
  if (message === '' && current instanceof AggregateError) return rootCause(current.errors[0])
  return message.split('\n')[0] ?? ''
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}
