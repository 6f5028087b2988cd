/**
 * Bytes the kernel holds for one loopback TCP connection (Linux /proc/net/tcp): what the sender
 * has not yet sent plus what the receiver has not yet read. The stalled-reader fault needs it to
 * know when a reader that reads nothing has filled the kernel and starts filling the server.
 */
import { readFileSync } from 'node:fs'

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0')
}

/** undefined when /proc/net/tcp is unreadable (not Linux) or the connection is not listed. */
export function kernelQueuedBytes(readerPort: number, serverPort: number): number | undefined {
  let table: string
  try {
    table = readFileSync('/proc/net/tcp', 'utf8')
  } catch {
    return undefined
  }
  const reader = `:${hexPort(readerPort)}`
  const server = `:${hexPort(serverPort)}`
  let total: number | undefined
  for (const line of table.split('\n').slice(1)) {
    const [, local, remote, , queues] = line.trim().split(/\s+/)
    if (!local || !remote || !queues) continue
    const [tx, rx] = queues.split(':').map((hex) => Number.parseInt(hex, 16))
    // The reader's socket: its unread bytes; the server's socket: its unsent bytes.
    if (local.endsWith(reader) && remote.endsWith(server)) total = (total ?? 0) + (rx ?? 0)
    else if (local.endsWith(server) && remote.endsWith(reader)) total = (total ?? 0) + (tx ?? 0)
  }
  return total
}
