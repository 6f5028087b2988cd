/** Server-side resource readings from /proc (Linux only): CPU time and resident memory of one pid. */
import { readdirSync, readFileSync } from 'node:fs'

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_S = 100

/** utime + stime of the process, in seconds (threads included, children excluded). */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`)
}

/** utime + stime of the process's main thread alone (its event loop), in seconds. */
export function mainThreadCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`)
}

function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8')
  // The command name (field 2) may contain spaces; fields are counted after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / CLOCK_TICKS_PER_S
}

/** VmRSS of the process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/** CPU seconds used by a set of processes between start() and the returned function's call. */
export function cpuMeter(pids: readonly number[]): () => { cpuS: number; wallS: number } {
  const start = pids.map((pid) => safeCpu(pid))
  const t0 = performance.now()
  return () => {
    const cpuS = pids.reduce((sum, pid, i) => sum + safeCpu(pid) - start[i]!, 0)
    return { cpuS, wallS: (performance.now() - t0) / 1000 }
  }
}

function safeCpu(pid: number): number {
  try {
    return cpuSeconds(pid)
  } catch {
    return 0
  }
}

/** Pids of every process whose command name (/proc/<pid>/comm) is `name`, e.g. redis-server. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/**
 * CPU seconds of a changing set of processes (PostgreSQL backends come and go): the caller lists
 * the pids again at the end, and one that appeared meanwhile counts all its CPU time.
 */
export function cpuMeterOf(pids: readonly number[]): (pidsNow: readonly number[]) => number {
  const start = new Map(pids.map((pid) => [pid, safeCpu(pid)]))
  return (pidsNow) => {
    let sum = 0
    for (const pid of new Set([...start.keys(), ...pidsNow])) {
      const now = safeCpu(pid)
      // A pid that exited meanwhile reads 0: its last seconds are lost, not counted negative.
      if (now > 0) sum += now - (start.get(pid) ?? 0)
    }
    return sum
  }
}

/** The whole machine's busy share (0-1 of all CPUs) between the call and the returned function's. */
export function machineBusyMeter(): () => number {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1)
    const values = fields.map(Number)
    const total = values.reduce((a, b) => a + b, 0)
    // idle + iowait
    const idle = (values[3] ?? 0) + (values[4] ?? 0)
    return { total, idle }
  }
  const start = read()
  return () => {
    const end = read()
    const total = end.total - start.total
    return total > 0 ? 1 - (end.idle - start.idle) / total : 0
  }
}
