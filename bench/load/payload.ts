/**
 * Every benchmark message carries `~B<phase>.<origin>.<n>.<sentAtUs>~`: the phase it belongs to,
 * the worker that sent it, that worker's running number, and the send time on the monotonic
 * clock (CLOCK_MONOTONIC is shared by every process on the machine, so latency needs no sync).
 */
export interface Stamp {
  readonly phase: number
  readonly origin: number
  readonly n: number
  readonly sentAtUs: number
}

const MARK = '~B'

/** Microseconds on the machine-wide monotonic clock. */
export function nowUs(): number {
  const [s, ns] = process.hrtime()
  return s * 1e6 + ns / 1e3
}

/** A chat-sized payload (~80 characters) carrying the stamp. */
export function encodePayload(stamp: Stamp, padding: string): string {
  return `${MARK}${stamp.phase}.${stamp.origin}.${stamp.n}.${Math.round(stamp.sentAtUs)}~ ${padding}`
}

export const DEFAULT_PADDING = 'the quick brown fox jumps over the lazy dog 0123456789'

/** The stamp inside a frame of any server kind, or undefined when the frame carries none. */
export function decodePayload(frame: string): Stamp | undefined {
  const start = frame.indexOf(MARK)
  if (start < 0) return undefined
  const end = frame.indexOf('~', start + 2)
  if (end < 0) return undefined
  const parts = frame.slice(start + 2, end).split('.')
  if (parts.length !== 4) return undefined
  return {
    phase: Number(parts[0]),
    origin: Number(parts[1]),
    n: Number(parts[2]),
    sentAtUs: Number(parts[3]),
  }
}
