/** The one table (figures × servers, with Eddy's ratios and the goals) and the JSON. */
import type { ServerKind } from './load/clients/protocol.js'
import type { FigureSpec, FigureValue } from './scenarios/context.js'

export const KINDS: readonly ServerKind[] = ['bare', 'socketio', 'eddy']
const HEADERS = ['figure', 'bare ws', 'socket.io', 'eddy', 'eddy/bare', 'eddy/socket.io', 'goal']

export interface Row {
  readonly scenario: string
  readonly spec: FigureSpec
  readonly values: Partial<Record<ServerKind, FigureValue>>
  /** Why a server has no value (not run, failed, Eddy-only…). */
  readonly missing: Partial<Record<ServerKind, string>>
}

export function formatValue(value: FigureValue | undefined, unit: string): string {
  if (value === undefined || value === null) return '–'
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  const text = value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: Number.isInteger(value) ? 0 : Math.min(digits, 1),
  })
  return unit && unit !== '/s' ? `${text} ${unit}` : unit === '/s' ? `${text}/s` : text
}

function ratio(a: FigureValue | undefined, b: FigureValue | undefined): string {
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return '–'
  return `${(a / b).toFixed(2)}×`
}

function goalCell(row: Row): string {
  const goal = row.spec.goal
  if (!goal) return ''
  const num = (k: ServerKind) => {
    const v = row.values[k]
    return typeof v === 'number' ? v : null
  }
  const eddy = num('eddy')
  if (eddy === null) return goal.text
  const met = goal.met(eddy, num('bare'), num('socketio'))
  return `${goal.text} ${met === null ? '(?)' : met ? 'MET' : 'MISSED'}`
}

export function tableCells(rows: readonly Row[]): string[][] {
  return rows.map((row) => {
    const cell = (k: ServerKind) =>
      row.values[k] !== undefined
        ? formatValue(row.values[k], row.spec.unit)
        : (row.missing[k] ?? '–')
    const numeric = row.spec.unit !== '' || typeof row.values.eddy === 'number'
    return [
      row.spec.label,
      cell('bare'),
      cell('socketio'),
      cell('eddy'),
      numeric ? ratio(row.values.eddy, row.values.bare) : '–',
      numeric ? ratio(row.values.eddy, row.values.socketio) : '–',
      goalCell(row),
    ]
  })
}

/** Plain-text table for the terminal. */
export function renderText(rows: readonly Row[]): string {
  const cells = [HEADERS, ...tableCells(rows)]
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)))
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' │ ')
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─')
  return [line(HEADERS), rule, ...cells.slice(1).map(line)].join('\n')
}

/** Markdown table for docs/performance.md. */
export function renderMarkdown(rows: readonly Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|')
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...tableCells(rows).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n')
}
