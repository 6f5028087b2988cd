/** Orders the test files for a small machine: longest first, browser files spread among the rest. */
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
    const duration = (spec: TestSpecification): number | undefined =>
      this.ctx.cache.getFileTestResults(key(spec))?.duration
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
