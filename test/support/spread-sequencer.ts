/** Orders the test files for a small machine: longest first, browser files spread among the rest. */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * Vitest's own order runs the projects one after another by name, so every Chromium-driving file
 * starts at once: on 2 cores they starve each other (and their page timeouts) while the cheap
 * files wait behind them. Here files go longest first across projects (the last run's durations,
 * else the largest file first, unknown before known as vitest does), and the browser project's
 * files alternate with the others, so they seldom run side by side.
 */
export class SpreadSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (spec: TestSpecification): string =>
      `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`
    // A fresh clone (CI) has no results cache: the committed durations stand in for it.
    const committed = committedDurations()
    const duration = (spec: TestSpecification): number | undefined =>
      this.ctx.cache.getFileTestResults(key(spec))?.duration ??
      committed[relative(this.ctx.config.root, spec.moduleId)]
    const size = (spec: TestSpecification): number =>
      this.ctx.cache.getFileStats(key(spec))?.size ?? 0
    const longestFirst = (a: TestSpecification, b: TestSpecification): number => {
      const [da, db] = [duration(a), duration(b)]
      if (da === undefined || db === undefined) {
        if (da !== db) return da === undefined ? -1 : 1
        return size(b) - size(a)
      }
      return db - da
    }
    const sorted = [...files].sort(longestFirst)
    const browser = sorted.filter((spec) => spec.project.name === 'browser')
    const others = sorted.filter((spec) => spec.project.name !== 'browser')
    const order: TestSpecification[] = []
    while (browser.length > 0 || others.length > 0) {
      const next = browser.shift()
      if (next) order.push(next)
      const other = others.shift()
      if (other) order.push(other)
    }
    return Promise.resolve(order)
  }
}

/**
 * Seconds per file from one whole run (test/support/durations.json), so that a fresh clone starts
 * the long files first too: ordered by size instead, the two store contract files (small files,
 * long suites) came last and ran alone for the final 30 s. Refresh it from a run's JSON report:
 * `npx vitest run --reporter=json --outputFile=r.json`, then each file's endTime - startTime.
 */
function committedDurations(): Record<string, number> {
  const file = new URL('./durations.json', import.meta.url)
  const seconds = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>
  return Object.fromEntries(Object.entries(seconds).map(([path, s]) => [path, s * 1000]))
}
