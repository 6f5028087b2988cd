/**
 * Log-bucketed latency histogram in microseconds: each bucket is 2 % wider than the last, so a
 * percentile is reported within 2 % of the true value, and worker histograms merge by adding
 * counts (a percentile of percentiles would be wrong).
 */
export const BUCKET_GROWTH = 1.02
const LOG_GROWTH = Math.log(BUCKET_GROWTH)
/** Buckets up to ~10^8 µs (100 s); anything slower lands in the last one (and in `maxUs`). */
const BUCKETS = Math.ceil(Math.log(1e8) / LOG_GROWTH) + 1

export interface HistogramSnapshot {
  /** [bucket index, count] pairs for the non-empty buckets. */
  readonly buckets: [number, number][]
  readonly count: number
  readonly sumUs: number
  readonly minUs: number
  readonly maxUs: number
}

export function bucketOf(us: number): number {
  if (us <= 1) return 0
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH))
}

/** The upper bound of a bucket: every value in it is ≤ this and > this / BUCKET_GROWTH. */
export function bucketUpperUs(index: number): number {
  return Math.pow(BUCKET_GROWTH, index)
}

export class LatencyHistogram {
  private counts = new Float64Array(BUCKETS)
  count = 0
  sumUs = 0
  minUs = Infinity
  maxUs = 0

  record(us: number): void {
    const value = us < 0 ? 0 : us
    this.counts[bucketOf(value)]! += 1
    this.count += 1
    this.sumUs += value
    if (value < this.minUs) this.minUs = value
    if (value > this.maxUs) this.maxUs = value
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [index, n] of snapshot.buckets) this.counts[index]! += n
    this.count += snapshot.count
    this.sumUs += snapshot.sumUs
    this.minUs = Math.min(this.minUs, snapshot.minUs)
    this.maxUs = Math.max(this.maxUs, snapshot.maxUs)
  }

  /** The value at percentile p (0-100): nearest rank, reported as its bucket's upper bound. */
  percentile(p: number): number {
    if (this.count === 0) return NaN
    if (p >= 100) return this.maxUs
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(bucketUpperUs(i), this.maxUs)
    }
    return this.maxUs
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!])
    return {
      buckets,
      count: this.count,
      sumUs: this.sumUs,
      minUs: this.count === 0 ? 0 : this.minUs,
      maxUs: this.maxUs,
    }
  }

  static fromSnapshots(snapshots: readonly HistogramSnapshot[]): LatencyHistogram {
    const merged = new LatencyHistogram()
    for (const s of snapshots) if (s.count > 0) merged.merge(s)
    return merged
  }
}
