/** Server-side resource readings from /proc (Linux only): CPU time and resident memory of one pid. */
import { readFileSync } from 'node:fs'

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_S = 100

/** utime + stime of the process, in seconds (threads included, children excluded). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
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
