/** The IPC between bench/run.ts (via LoadPool) and each bench/load/worker.ts process. */
import type { ChangeMix } from './changes.js'
import type { HistogramSnapshot } from '../metrics/histogram.js'
import type { ServerKind } from './clients/protocol.js'

export interface ConnectCommand {
  readonly cmd: 'connect'
  readonly kind: ServerKind
  /** ws://127.0.0.1:PORT */
  readonly baseUrl: string
  /** Several nodes (c100k): client g connects to baseUrls[g % length] instead of baseUrl. */
  readonly baseUrls?: readonly string[]
  readonly count: number
  /** Global index of this worker's first client: rooms, tokens and addresses rotate on it. */
  readonly startIndex: number
  readonly rooms: readonly string[]
  readonly tokens: readonly string[]
  /** Source addresses (127.0.0.2 …) so each gets its own ~28k ephemeral ports. */
  readonly addresses: readonly string[]
  readonly concurrency: number
  /** Attempts after a failed one (a refused upgrade, a reset, a timeout), as a real client retries
   * with backoff; 0: one attempt. */
  readonly retries?: number
}

export interface SendCommand {
  readonly cmd: 'send'
  readonly phase: number
  /** Messages per second from this worker, spread over its first `senders` clients. */
  readonly ratePerS: number
  readonly senders: number
  readonly durationMs: number
  /** Stop after this many messages (resume storm); otherwise rate × duration. */
  readonly maxMessages?: number
  /** Wait until every message is answered, acked or refused (Eddy), before counting it sent. */
  readonly awaitAcks?: boolean
  /** How long to wait for those answers after the last send (default 15 s). */
  readonly ackTimeoutMs?: number
}

export interface DurableCommand {
  readonly cmd: 'durable'
  readonly phase: number
  readonly durationMs: number
  /** Unacked messages each client keeps in flight. */
  readonly window: number
  /** Edits and reactions (of the client's own last acked message) among the sends; none: messages only. */
  readonly mix?: ChangeMix
}

export type WorkerCommand =
  | ConnectCommand
  | SendCommand
  | DurableCommand
  | { readonly cmd: 'phase'; readonly phase: number }
  | { readonly cmd: 'stats' }
  | { readonly cmd: 'drop' }
  | {
      readonly cmd: 'reconnect'
      readonly expectPerClient: number
      readonly timeoutMs: number
      /** As ConnectCommand.retries. */
      readonly retries?: number
    }
  | { readonly cmd: 'closeAll' }
  /** Clients with fewer than `expectPerClient` deliveries this phase, grouped by what they last heard. */
  | { readonly cmd: 'missing'; readonly expectPerClient: number }

/** Clients short of a phase's deliveries, by node URL and by their last error or `left` frame. */
export interface MissingResult {
  readonly count: number
  readonly byUrl: Record<string, number>
  readonly byTrouble: Record<string, number>
}

export interface ConnectResult {
  readonly connected: number
  readonly failed: number
  /** Attempts that failed and were retried. */
  readonly retried?: number
  readonly firstError?: string
}

export interface SendResult {
  readonly sent: number
  readonly acked: number
  readonly errors: number
  readonly firstError?: string
}

export interface Stats {
  readonly clients: number
  readonly open: number
  readonly unique: number
  readonly dupes: number
  /** Stamped frames of another phase (late arrivals of an earlier step). */
  readonly stale: number
  /** Eddy: new deliveries whose seq was below one the same client already had this phase. */
  readonly outOfOrder: number
  readonly firstDeliveryUs: number
  readonly lastDeliveryUs: number
  readonly latency: HistogramSnapshot
  /** Close codes seen on sockets we did not close ourselves. */
  readonly unexpectedCloses: Record<string, number>
  /** Fewest phase deliveries any one client has (resume: must equal the messages sent). */
  readonly minPerClient: number
}

export interface DurableResult {
  readonly acked: number
  /** Of `acked`: edits and reactions. */
  readonly ackedChanges?: number
  readonly errors: number
  readonly firstError?: string
  readonly ackLatency: HistogramSnapshot
}

export interface ReconnectResult {
  readonly reconnected: number
  readonly failed: number
  readonly retried?: number
  readonly firstError?: string
  /** When the last client of this worker had all its messages (monotonic µs), 0 if some never did. */
  readonly allDoneUs: number
  readonly incomplete: number
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }
