/** A receive window a device opens after an uplink, as the air needs to know it. */
export interface RxWindowOnAir {
  /** Scheduler µs. */
  openUs: number;
  /** Hz */
  frequency: number;
  /** How far from `openUs` a frame may start and still be caught, µs. */
  toleranceUs: number;
}

interface Entry extends RxWindowOnAir {
  id: string;
}

/** Who a downlink is offered to, and who it is for. */
export interface Listening {
  /**
   * Devices whose radio may take the frame: those listening continuously (class B and C), those with
   * a window open at that moment on that frequency, and the addressee.
   */
  ids: Set<string>;
  /**
   * The device the frame is for: by DevAddr for a data frame, by the key that opens it for a
   * Join-accept. `null` when no device that listened near that moment opens it; `undefined` when the
   * frame names no device (another message type).
   */
  addressee: string | null | undefined;
  /** The frame is a Join-accept: its addressee (or null) is known by key, for certain. */
  joinAccept: boolean;
}

/**
 * Who might be listening when a gateway transmits. A class A device listens only in RX1 and RX2
 * after its own uplink, so a downlink is offered (path loss, MIC checks) only to devices whose window
 * opens then on its frequency, to those that listen continuously, and to the one it is for — whose
 * windows may be anywhere, so that a network early, late or on the wrong channel is reported.
 *
 * A Join-accept names nobody: its addressee is the device whose key opens it, searched among devices
 * with a window within `slackUs` of the frame (wider than any receive tolerance), nearest first — in a
 * join storm one or two key trials a Join-accept, not one for each of the thousands of devices
 * listening within a second of it.
 */
export class ListenerIndex {
  private readonly buckets = new Map<number, Entry[]>();
  private readonly always = new Set<string>();
  private readonly byDevAddr = new Map<number, string>();
  private oldest = Number.POSITIVE_INFINITY;

  constructor(
    readonly slackUs = 100_000,
    private readonly bucketUs = 50_000,
  ) {}

  /** A device's receive windows after an uplink. */
  windows(id: string, windows: readonly RxWindowOnAir[], nowUs: number): void {
    for (const w of windows) {
      const e: Entry = { id, openUs: w.openUs, frequency: w.frequency, toleranceUs: w.toleranceUs };
      const first = Math.floor((w.openUs - this.slackUs) / this.bucketUs);
      const last = Math.floor((w.openUs + this.slackUs) / this.bucketUs);
      for (let b = first; b <= last; b++) {
        const list = this.buckets.get(b);
        if (list === undefined) this.buckets.set(b, [e]);
        else list.push(e);
        if (b < this.oldest) this.oldest = b;
      }
    }
    this.expire(nowUs);
  }

  /** A device listening all the time (class B or C), or no longer (`false`). */
  continuous(id: string, on = true): void {
    if (on) this.always.add(id);
    else this.always.delete(id);
  }

  /** The device a DevAddr belongs to now (after a join, or an ABP session). */
  address(devAddr: number, id: string): void {
    this.byDevAddr.set(devAddr >>> 0, id);
  }

  /**
   * Who may take a downlink starting at `atUs` on `frequency` (`undefined`: a frame that never went on
   * air, which only its addressee needs to hear of). `opens(id)` tells whether device `id`'s key opens
   * a Join-accept: it is asked only for those.
   */
  candidates(
    atUs: number,
    frequency: number | undefined,
    phyPayload: Uint8Array,
    opens: (id: string) => boolean,
  ): Listening {
    const ids = new Set(this.always);
    const near = (this.buckets.get(Math.floor(atUs / this.bucketUs)) ?? []).filter(
      (e) => Math.abs(e.openUs - atUs) <= this.slackUs,
    );
    const open = near.filter((e) => e.frequency === frequency && Math.abs(e.openUs - atUs) <= e.toleranceUs);
    for (const e of open) ids.add(e.id);
    const addressee = this.addresseeOf(atUs, phyPayload, open, near, opens);
    if (typeof addressee === 'string') ids.add(addressee);
    return { ids, addressee, joinAccept: phyPayload.length >= 5 && phyPayload[0]! >> 5 === 1 };
  }

  private addresseeOf(
    atUs: number,
    phy: Uint8Array,
    open: Entry[],
    near: Entry[],
    opens: (id: string) => boolean,
  ): string | null | undefined {
    const mType = phy.length >= 5 ? phy[0]! >> 5 : -1;
    if (mType === 3 || mType === 5) {
      const addr = (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
      return this.byDevAddr.get(addr) ?? null;
    }
    if (mType !== 1) return undefined;
    // Those in a window first, then the rest nearest first (a stable sort: ties stay in arrival order).
    const byDistance = (a: Entry, b: Entry) => Math.abs(a.openUs - atUs) - Math.abs(b.openUs - atUs);
    const tried = new Set<string>();
    for (const e of [...open.sort(byDistance), ...near.sort(byDistance)]) {
      if (tried.has(e.id)) continue;
      tried.add(e.id);
      if (opens(e.id)) return e.id;
    }
    for (const id of this.always) if (!tried.has(id) && opens(id)) return id;
    return null;
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
