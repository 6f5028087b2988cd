/**
 * Top self-time functions (and packages) of a V8 .cpuprofile, as written by `node --cpu-prof`
 * (`npm run bench -- --eddy-cpu-prof DIR`).
 * Usage: npx tsx bench/metrics/cpuprofile-top.ts DIR/CPU.*.cpuprofile [N]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export function selfTimes(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const fn = new Map<string, number>()
  const pkg = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    const frame = byId.get(id)?.callFrame
    if (!frame) return
    total += us
    const file = frame.url.replace(/^file:\/\//, '')
    const where = file ? `${file.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : ''
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim()
    fn.set(name, (fn.get(name) ?? 0) + us)
    const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]
    const group =
      module ?? (file.includes('/dist/') ? 'eddy (dist/)' : file ? 'node internals' : name)
    pkg.set(group, (pkg.get(group) ?? 0) + us)
  })
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total }))
  return {
    totalMs: total / 1000,
    top: (n: number) => top(fn, n),
    packages: (n: number) => top(pkg, n),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]
  if (!file) throw new Error('usage: cpuprofile-top.ts FILE.cpuprofile [N]')
  const n = Number(process.argv[3] ?? 25)
  const result = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile)
  console.log(`total sampled: ${result.totalMs.toFixed(0)} ms\n\nself time by function:`)
  for (const r of result.top(n))
    console.log(`${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`)
  console.log('\nself time by package:')
  for (const r of result.packages(15))
    console.log(`${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`)
}
