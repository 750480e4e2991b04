/**
 * A histogram with fixed, equal-width bins: counts add, so distributions from worker threads and
 * shards merge exactly. Values outside the range land in the first or last bin.
 */
export interface BinnedJson {
  /** Lower edge of the first bin. */
  start: number;
  width: number;
  counts: number[];
}

export class Binned {
  readonly counts: Float64Array;

  constructor(
    readonly start: number,
    readonly width: number,
    bins: number,
  ) {
    this.counts = new Float64Array(bins);
  }

  record(value: number, n = 1): void {
    if (!Number.isFinite(value)) return;
    const i = Math.floor((value - this.start) / this.width);
    this.counts[Math.min(this.counts.length - 1, Math.max(0, i))]! += n;
  }

  get total(): number {
    let t = 0;
    for (const c of this.counts) t += c;
    return t;
  }

  add(other: BinnedJson): void {
    if (
      other.start !== this.start ||
      other.width !== this.width ||
      other.counts.length !== this.counts.length
    )
      throw new RangeError('distributions with different bins cannot be merged');
    for (let i = 0; i < other.counts.length; i++) this.counts[i]! += other.counts[i]!;
  }

  toJSON(): BinnedJson {
    return { start: this.start, width: this.width, counts: [...this.counts] };
  }
}

/**
 * Latency on a log scale: bin k covers [10^(k/STEPS), 10^((k+1)/STEPS)) ms, about 4.7 % wide, so one
 * histogram shows a 20 ms loopback run and a 5 s congested one alike.
 */
export const LATENCY_BINS_PER_DECADE = 50;

export class LogBinned {
  readonly counts = new Float64Array(LATENCY_BINS_PER_DECADE * 7);

  record(ms: number, n = 1): void {
    if (!Number.isFinite(ms)) return;
    const k = Math.floor(Math.log10(Math.max(1, ms)) * LATENCY_BINS_PER_DECADE);
    this.counts[Math.min(this.counts.length - 1, Math.max(0, k))]! += n;
  }

  add(other: { counts: ArrayLike<number> }): void {
    for (let i = 0; i < Math.min(other.counts.length, this.counts.length); i++)
      this.counts[i]! += other.counts[i]!;
  }

  /** Lower bin edges (ms) and counts, trimmed to the bins that hold something. */
  toJSON(): { binsPerDecade: number; edgesMs: number[]; counts: number[] } {
    let lo = this.counts.findIndex((c) => c > 0);
    if (lo < 0) return { binsPerDecade: LATENCY_BINS_PER_DECADE, edgesMs: [], counts: [] };
    let hi = this.counts.length - 1;
    while (this.counts[hi] === 0) hi--;
    lo = Math.max(0, lo - 1);
    hi = Math.min(this.counts.length - 1, hi + 1);
    const edgesMs: number[] = [];
    const counts: number[] = [];
    for (let k = lo; k <= hi; k++) {
      edgesMs.push(Number((10 ** (k / LATENCY_BINS_PER_DECADE)).toPrecision(4)));
      counts.push(this.counts[k]!);
    }
    return { binsPerDecade: LATENCY_BINS_PER_DECADE, edgesMs, counts };
  }

  /** Rebuilds the full bin array from a trimmed JSON form (for merging reports). */
  static fromJSON(j: { edgesMs: number[]; counts: number[] }): LogBinned {
    const b = new LogBinned();
    j.edgesMs.forEach((e, i) => {
      const k = Math.round(Math.log10(e) * LATENCY_BINS_PER_DECADE);
      b.counts[k]! += j.counts[i]!;
    });
    return b;
  }
}
