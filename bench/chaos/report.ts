/** Prints a chaos run's results as a table: per fault, what was lost, duplicated or reordered. */
import type { ModeResult } from './run-mode.js'
import { clean, STEADY } from './verify.js'

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
    .join('  ')
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`
}

export function formatMode(result: ModeResult): string {
  const { audit } = result
  const header = [
    'fault',
    'runs',
    'lost',
    'dup',
    'out-of-order',
    'recover max',
    'recover median',
    'disrupted max',
  ]
  const rows: string[][] = []
  const names = [...new Set(result.faults.map((f) => f.fault))]
  for (const name of [...names, STEADY]) {
    const runs = result.faults.filter((f) => f.fault === name)
    const times = runs.map((r) => r.recoverMs).filter((t): t is number => t !== undefined)
    times.sort((a, b) => a - b)
    const stuck = runs.length - times.length
    const windows = runs.map((r) => r.windowMs).filter((t): t is number => t !== undefined)
    const tally = audit.byFault.get(name) ?? { lost: 0, duplicated: 0, outOfOrder: 0 }
    const max = times.at(-1)
    const median = times[Math.floor((times.length - 1) / 2)]
    rows.push([
      name === STEADY ? '(between faults)' : name,
      name === STEADY ? '' : String(runs.length),
      String(tally.lost),
      String(tally.duplicated),
      String(tally.outOfOrder),
      stuck > 0 ? `${stuck} stuck` : max === undefined ? '' : ms(max),
      median === undefined ? '' : ms(median),
      windows.length === 0 ? '' : ms(Math.max(...windows)),
    ])
  }
  const t = audit.total
  rows.push([
    'total',
    String(result.faults.length),
    String(t.lost),
    String(t.duplicated),
    String(t.outOfOrder),
    '',
    '',
    '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const lines = [
    `== ${result.mode}: ${audit.acked} acked, ${audit.stored} stored, ${audit.delivered} deliveries, ` +
      `${result.sessions} sessions, ${ms(result.elapsedMs)} ==`,
    pad(header, widths),
    ...rows.map((r) => pad(r, widths)),
  ]
  for (const f of result.faults)
    lines.push(`  · ${f.fault}: ${f.note}${f.problem ? ` — FAILED: ${f.problem}` : ''}`)
  if (audit.phantom > 0) lines.push(`  ${audit.phantom} deliveries of seqs the store does not hold`)
  if (result.unsettled) lines.push(`  did not settle: ${result.unsettled}`)
  for (const example of audit.examples) lines.push(`  ! ${example}`)
  lines.push(passed(result) ? '  PASS' : '  FAIL')
  return lines.join('\n')
}

/** Clean audit, every fault recovered, and the run settled. */
export function passed(result: ModeResult): boolean {
  return (
    clean(result.audit) &&
    result.unsettled === undefined &&
    result.faults.every((f) => f.recoverMs !== undefined && f.problem === undefined)
  )
}
