/**
 * Reads HTTP connections a slice per event-loop turn: a burst of requests that all become
 * readable in the same poll phase is parsed over several turns, so chat frames read in between.
 */
import type { Server } from 'node:http'
import { Socket } from 'node:net'
import type { TurnPacer } from './turn-pacer.js'

/**
 * Why: Node parses a keep-alive connection's request the moment its bytes are read (llhttp,
 * IncomingMessage, ServerResponse: ~50 µs here). When a thousand clients send at once, all
 * thousand sockets are readable in one poll phase and libuv reads them all before the loop turns:
 * one ~50 ms stall in which no WebSocket frame is read, acked or fanned out. The TurnPacer already
 * runs the handlers a slice per turn; this moves the parsing itself into those slices.
 *
 * How: each HTTP socket is read through `'data'` events (instead of the parser consuming the
 * handle natively; Node switches over when a `'data'` listener is added) and its `emit` is
 * wrapped. The first `perTurn` chunks of a turn go straight to the parser; beyond that, a
 * socket's chunks (and its `'end'`, which must not overtake them) are held, the socket is paused,
 * and the pacer hands them to the parser in a later turn. Once a socket is upgraded to a
 * WebSocket the wrapper is removed: chat frames are never held.
 */
export function paceReads(server: Server, pacer: TurnPacer, perTurn = 16): void {
  let used = 0
  let resetScheduled = false
  const reset = (): void => {
    used = 0
    resetScheduled = false
  }
  /** Held events per socket, in arrival order; present only while something is held. */
  const held = new WeakMap<Socket, [string, unknown[]][]>()

  const release = (socket: Socket): void => {
    const events = held.get(socket)
    held.delete(socket)
    // A socket closed meanwhile has no parser left to feed; its requests died with it.
    if (!events || socket.destroyed) return
    for (const [event, args] of events) {
      // As when read unpaced, the end comes a turn after the data: the responses to pipelined
      // requests it carried go out first (each waits for the previous one's 'finish', a tick
      // later), which an end in the same tick would cut off (Node ends the socket at once).
      if (event === 'end') setImmediate(endLater, socket)
      else emit.call(socket, event, ...args)
    }
    // Unless the HTTP server paused it itself meanwhile (a response not drained): it resumes it.
    if (!socket.destroyed && !held.has(socket) && !(socket as HttpSocket)._paused) socket.resume()
  }

  function pacedEmit(this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'data' && event !== 'end') return emit.call(this, event, ...args)
    const queue = held.get(this)
    if (queue) {
      queue.push([event, args])
      return true
    }
    if (event === 'end' || used < perTurn) {
      if (event === 'data') {
        used += 1
        if (!resetScheduled) {
          resetScheduled = true
          setImmediate(reset)
        }
      }
      return emit.call(this, event, ...args)
    }
    held.set(this, [[event, args]])
    this.pause()
    pacer.run(() => release(this))
    return true
  }

  server.on('connection', (socket: Socket) => {
    socket.emit = pacedEmit
    // Any 'data' listener makes Node's HTTP server parse from 'data' events (it "unconsumes").
    socket.on('data', noop)
  })
  // Upgrades (WebSocket) leave the HTTP parser: from here on the socket is a chat connection.
  server.prependListener('upgrade', (_request, socket: Socket) => {
    if (socket.emit === pacedEmit) Reflect.deleteProperty(socket, 'emit')
    socket.off('data', noop)
  })
}

// Called with the socket as `this`, exactly as the wrapper it stands in for.
// eslint-disable-next-line @typescript-eslint/unbound-method
const emit = Socket.prototype.emit as (
  this: Socket,
  event: string | symbol,
  ...args: unknown[]
) => boolean

function noop(): void {}

function endLater(socket: Socket): void {
  if (!socket.destroyed) emit.call(socket, 'end')
}

/** Node's HTTP server marks a socket it paused for backpressure (and resumes it on 'drain'). */
interface HttpSocket extends Socket {
  _paused?: boolean
}
