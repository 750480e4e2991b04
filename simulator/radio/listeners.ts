/**
 * Who might be listening when a gateway transmits. A class A device listens only in RX1 and RX2
 * after its own uplink, so a downlink need not be offered (path loss, MIC checks) to every device in
 * range — with thousands of devices that is the whole cost of a join storm. Devices are found here by
 * the opening times of their windows (within `slackUs`, wider than any receive tolerance so that a
 * network a little early or late is still caught in the act), by their DevAddr (a data downlink
 * reaches its addressee whenever it is sent, so a late one is reported), and always when they
 * listen continuously (class C).
 */
export class ListenerIndex {
  private readonly buckets = new Map<number, string[]>();
  private readonly always = new Set<string>();
  private readonly byDevAddr = new Map<number, string>();
  private oldest = Number.POSITIVE_INFINITY;

  constructor(
    readonly slackUs = 100_000,
    private readonly bucketUs = 50_000,
  ) {}

  /** A device's receive windows after an uplink (opening times, scheduler µs). */
  windows(id: string, opens: readonly number[], nowUs: number): void {
    for (const open of opens) {
      const first = Math.floor((open - this.slackUs) / this.bucketUs);
      const last = Math.floor((open + this.slackUs) / this.bucketUs);
      for (let b = first; b <= last; b++) {
        const list = this.buckets.get(b);
        if (list === undefined) this.buckets.set(b, [id]);
        else if (list[list.length - 1] !== id) list.push(id);
        if (b < this.oldest) this.oldest = b;
      }
    }
    this.expire(nowUs);
  }

  /** A device listening all the time (class C), or no longer (`false`). */
  continuous(id: string, on = true): void {
    if (on) this.always.add(id);
    else this.always.delete(id);
  }

  /** The device a DevAddr belongs to now (after a join, or an ABP session). */
  address(devAddr: number, id: string): void {
    this.byDevAddr.set(devAddr >>> 0, id);
  }

  /** Devices that may hear a downlink starting at `atUs` carrying `phyPayload`. */
  candidates(atUs: number, phyPayload: Uint8Array): Set<string> {
    const out = new Set<string>(this.always);
    for (const id of this.buckets.get(Math.floor(atUs / this.bucketUs)) ?? []) out.add(id);
    const mType = phyPayload.length >= 5 ? phyPayload[0]! >> 5 : -1;
    if (mType === 3 || mType === 5) {
      const addr =
        (phyPayload[1]! | (phyPayload[2]! << 8) | (phyPayload[3]! << 16) | (phyPayload[4]! << 24)) >>> 0;
      const id = this.byDevAddr.get(addr);
      if (id !== undefined) out.add(id);
    }
    return out;
  }

  /** Windows long past cannot matter any more. */
  private expire(nowUs: number): void {
    const before = Math.floor((nowUs - 10_000_000) / this.bucketUs);
    while (this.oldest < before) {
      this.buckets.delete(this.oldest);
      this.oldest++;
    }
  }
}
