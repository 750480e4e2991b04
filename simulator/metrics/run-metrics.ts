import { build, type Histogram } from 'hdr-histogram-js';
import { Binned, LogBinned, type BinnedJson } from './distribution.js';

/** Per time bucket, from the start of traffic. Latency percentiles come from the bucket's own histogram. */
export interface TimelineJson {
  bucketMs: number;
  uplinksSent: number[];
  uplinksDelivered: number[];
  joinRequests: number[];
  joinAccepts: number[];
  latencyP50Ms: (number | null)[];
  latencyP99Ms: (number | null)[];
  latencyMaxMs: (number | null)[];
}

export interface DistributionsJson {
  latencyMs: { binsPerDecade: number; edgesMs: number[]; counts: number[] };
  /** What the gateways heard (uplinks), dBm and dB. */
  rssiDbm: BinnedJson;
  snrDb: BinnedJson;
}

/** Listeners for exporters that need each observation (a Prometheus histogram, say). */
export interface RunMetricsListener {
  delivered?(latencyMs: number): void;
  uplinkSent?(): void;
  joinRequest?(): void;
  joinAccept?(): void;
}

/**
 * What a run measures over time, in a form that merges exactly across worker threads and shards
 * (counters add, histograms add): the timeline behind the HTML report's plots and the distributions.
 * Times are scheduler microseconds, so virtual-time runs plot the same as wall-time ones.
 */
export class RunMetrics {
  readonly bucketMs: number;
  private startUs = 0;
  private readonly sent: number[] = [];
  private readonly delivered: number[] = [];
  private readonly joinReq: number[] = [];
  private readonly joinAcc: number[] = [];
  private readonly latency: (Histogram | undefined)[] = [];
  readonly latencyMs = new LogBinned();
  readonly rssiDbm = new Binned(-150, 1, 140);
  readonly snrDb = new Binned(-30, 0.5, 140);
  private readonly listeners: RunMetricsListener[] = [];

  /** A bucket per second up to ten minutes, then wider so a plot holds about 600 points. */
  constructor(durationMs: number) {
    this.bucketMs = Math.max(1000, Math.ceil(durationMs / 600 / 1000) * 1000);
  }

  listen(l: RunMetricsListener): void {
    this.listeners.push(l);
  }

  /** Traffic starts now: bucket 0 begins here. */
  start(nowUs: number): void {
    this.startUs = nowUs;
  }

  private bucket(nowUs: number, series: number[]): number {
    const i = Math.max(0, Math.floor((nowUs - this.startUs) / 1000 / this.bucketMs));
    while (series.length <= i) series.push(0);
    return i;
  }

  uplinkSent(nowUs: number): void {
    this.sent[this.bucket(nowUs, this.sent)]!++;
    for (const l of this.listeners) l.uplinkSent?.();
  }

  uplinkDelivered(nowUs: number, latencyMs: number): void {
    const i = this.bucket(nowUs, this.delivered);
    this.delivered[i]!++;
    let h = this.latency[i];
    if (h === undefined) {
      h = build({
        bitBucketSize: 'packed',
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000,
        numberOfSignificantValueDigits: 2,
      });
      this.latency[i] = h;
    }
    const v = Math.max(1, Math.min(3_600_000, Math.round(latencyMs)));
    h.recordValue(v);
    this.latencyMs.record(v);
    for (const l of this.listeners) l.delivered?.(latencyMs);
  }

  joinRequest(nowUs: number): void {
    this.joinReq[this.bucket(nowUs, this.joinReq)]!++;
    for (const l of this.listeners) l.joinRequest?.();
  }

  joinAccept(nowUs: number): void {
    this.joinAcc[this.bucket(nowUs, this.joinAcc)]!++;
    for (const l of this.listeners) l.joinAccept?.();
  }

  /** An uplink a gateway received. */
  reception(rssi: number, snr: number): void {
    this.rssiDbm.record(rssi);
    this.snrDb.record(snr);
  }

  timeline(): TimelineJson {
    const n = Math.max(this.sent.length, this.delivered.length, this.joinReq.length, this.joinAcc.length);
    const at = (s: number[], i: number) => s[i] ?? 0;
    const pct = (i: number, p: number) => {
      const h = this.latency[i];
      return h === undefined || h.totalCount === 0 ? null : h.getValueAtPercentile(p);
    };
    const t: TimelineJson = {
      bucketMs: this.bucketMs,
      uplinksSent: [],
      uplinksDelivered: [],
      joinRequests: [],
      joinAccepts: [],
      latencyP50Ms: [],
      latencyP99Ms: [],
      latencyMaxMs: [],
    };
    for (let i = 0; i < n; i++) {
      t.uplinksSent.push(at(this.sent, i));
      t.uplinksDelivered.push(at(this.delivered, i));
      t.joinRequests.push(at(this.joinReq, i));
      t.joinAccepts.push(at(this.joinAcc, i));
      t.latencyP50Ms.push(pct(i, 50));
      t.latencyP99Ms.push(pct(i, 99));
      t.latencyMaxMs.push(this.latency[i]?.maxValue ?? null);
    }
    return t;
  }

  distributions(): DistributionsJson {
    return {
      latencyMs: this.latencyMs.toJSON(),
      rssiDbm: this.rssiDbm.toJSON(),
      snrDb: this.snrDb.toJSON(),
    };
  }
}
