/** The c100k scenario's settings (`--c100k-*` on `npm run bench`), checked against this box's limits. */

/** Open files one process may hold here (`ulimit -Hn`), less room for its own PG, Redis and files. */
export const SOCKETS_PER_PROCESS = 19_000
/** A load worker's share: under the open-file limit with room to spare for its IPC and sockets in close. */
export const SOCKETS_PER_WORKER = 17_000
/** Ephemeral ports per source address (net.ipv4.ip_local_port_range 32768-60999). */
const PORTS_PER_ADDRESS = 28_000

export interface C100kOptions {
  /** Clients on the multi-node cluster. */
  readonly clients: number
  readonly nodes: number
  /** Clients on the one-node run beside it (0: skip it). */
  readonly oneNodeClients: number
  /** Registered users whose tokens the sockets share (Argon2: ~25 ms of a core each). */
  readonly users: number
  /** Messages sent while everyone is away in the resume storm. */
  readonly stormMessages: number
  /** The steady phase: messages per second to the room, for this long. */
  readonly ratePerS: number
  readonly seconds: number
  /** How long a phase may take to deliver its last message before the rest counts as lost. */
  readonly maxDrainS: number
  readonly pgUrl: string
  readonly redisUrl: string
  /** `--eddy-cpu-prof DIR`: every node writes a V8 CPU profile there when it stops. */
  readonly cpuProfDir?: string
}

export const C100K_DEFAULTS: C100kOptions = {
  clients: 100_000,
  nodes: 6,
  oneNodeClients: 15_000,
  users: 300,
  stormMessages: 10,
  ratePerS: 10,
  seconds: 30,
  maxDrainS: 180,
  pgUrl: 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: 'redis://127.0.0.1:6379',
}

/** The raw `--c100k-*` values as parseArgs gives them (absent: the default). */
export interface C100kArgs {
  readonly 'c100k-clients'?: string | undefined
  readonly 'c100k-nodes'?: string | undefined
  readonly 'c100k-one-node-clients'?: string | undefined
  readonly 'c100k-users'?: string | undefined
  readonly 'c100k-storm-messages'?: string | undefined
  readonly 'c100k-rate'?: string | undefined
  readonly 'c100k-seconds'?: string | undefined
  readonly 'c100k-max-drain'?: string | undefined
  readonly 'c100k-pg-url'?: string | undefined
  readonly 'c100k-redis-url'?: string | undefined
}

/** For node:util parseArgs: every `--c100k-*` option takes a string. */
export const C100K_ARGS = {
  'c100k-clients': { type: 'string' },
  'c100k-nodes': { type: 'string' },
  'c100k-one-node-clients': { type: 'string' },
  'c100k-users': { type: 'string' },
  'c100k-storm-messages': { type: 'string' },
  'c100k-rate': { type: 'string' },
  'c100k-seconds': { type: 'string' },
  'c100k-max-drain': { type: 'string' },
  'c100k-pg-url': { type: 'string' },
  'c100k-redis-url': { type: 'string' },
} as const satisfies Record<keyof C100kArgs, { type: 'string' }>

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw.replace(/[_,]/g, ''))
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`)
  }
  return value
}

export function parseC100kOptions(args: C100kArgs): C100kOptions {
  const d = C100K_DEFAULTS
  const options: C100kOptions = {
    clients: count('c100k-clients', args['c100k-clients'], d.clients, 1),
    nodes: count('c100k-nodes', args['c100k-nodes'], d.nodes, 1),
    oneNodeClients: count(
      'c100k-one-node-clients',
      args['c100k-one-node-clients'],
      d.oneNodeClients,
      0,
    ),
    users: count('c100k-users', args['c100k-users'], d.users, 1),
    stormMessages: count('c100k-storm-messages', args['c100k-storm-messages'], d.stormMessages, 1),
    ratePerS: count('c100k-rate', args['c100k-rate'], d.ratePerS, 1),
    seconds: count('c100k-seconds', args['c100k-seconds'], d.seconds, 1),
    maxDrainS: count('c100k-max-drain', args['c100k-max-drain'], d.maxDrainS, 1),
    pgUrl: args['c100k-pg-url'] ?? d.pgUrl,
    redisUrl: args['c100k-redis-url'] ?? d.redisUrl,
  }
  const perNode = Math.ceil(options.clients / options.nodes)
  if (perNode > SOCKETS_PER_PROCESS) {
    throw new Error(
      `--c100k-clients ${options.clients} over ${options.nodes} nodes is ${perNode} sockets per node, over the ${SOCKETS_PER_PROCESS} one process may hold here: add nodes`,
    )
  }
  if (options.oneNodeClients > SOCKETS_PER_PROCESS) {
    throw new Error(
      `--c100k-one-node-clients ${options.oneNodeClients} is over the ${SOCKETS_PER_PROCESS} sockets one process may hold here`,
    )
  }
  return options
}

/** Load workers for `clients` sockets: each under its open-file limit, at least `minimum`. */
export function workersFor(clients: number, minimum: number): number {
  return Math.max(minimum, Math.ceil(clients / SOCKETS_PER_WORKER))
}

/**
 * Source addresses for `clients`: each socket holds a port while open, another in TIME_WAIT after
 * the storm's drop (60 s), a third after the storm, and retried attempts more: five ports per
 * client, ~28k per address; at least `minimum`.
 */
export function addressesFor(clients: number, minimum: number): number {
  return Math.min(250, Math.max(minimum, Math.ceil((5 * clients) / PORTS_PER_ADDRESS)))
}
