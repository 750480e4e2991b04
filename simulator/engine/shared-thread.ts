import type { Scheduler } from '../time/scheduler.js';

/** How long after an uplink the network may still be taking it in (socket, de-duplication, publish). */
const TAKE_IN_US = 2_000_000;

interface Heard {
  deviceId: string;
  fCnt: number;
  startUs: number;
}

/**
 * Uplinks a gateway heard while the embedded network reads its sockets on the simulator's own thread
 * (wall time, network in process). A datagram waits in the socket until this loop reads it, and is
 * dropped when the buffer overflows: a loop that runs late in the seconds after an uplink — not only
 * at the instant it ends — can lose it. Each uplink is checked once that time has passed; a late spell
 * in it makes a loss of that uplink the simulator's (`simulator-late`), never the network's.
 */
export class SharedThreadUplinks {
  private readonly heard: Heard[] = [];
  private head = 0;

  constructor(
    private readonly scheduler: Scheduler,
    /** The uplink was heard while the simulator ran late (or soon after). */
    private readonly late: (deviceId: string, fCnt: number) => void,
    /**
     * The embedded network on a thread of its own: whether its loop stalled in [fromMs, toMs] (wall
     * clock) — its socket then overflows as this one's would; the network is lorafleet's, not the one tested.
     */
    private readonly networkStalled?: (fromMs: number, toMs: number) => boolean,
    /** How long after an uplink it is judged: the network thread reports its stalls every half second. */
    private readonly judgeAfterUs = networkStalled === undefined ? TAKE_IN_US : TAKE_IN_US + 1_000_000,
  ) {}

  heardAt(deviceId: string, fCnt: number, startUs: number): void {
    this.heard.push({ deviceId, fCnt, startUs });
    this.settle(this.scheduler.now());
  }

  /** At the end of traffic: every uplink still waiting is checked up to now. */
  settleAll(): void {
    this.settle(Number.POSITIVE_INFINITY);
  }

  private settle(untilUs: number): void {
    const now = this.scheduler.now();
    const h = this.heard;
    while (this.head < h.length && h[this.head]!.startUs + this.judgeAfterUs <= untilUs) {
      const u = h[this.head++]!;
      const toUs = Math.min(u.startUs + TAKE_IN_US, now);
      if (
        this.scheduler.lateBetween(u.startUs, toUs) ||
        this.networkStalled?.(this.scheduler.wallClockMs(u.startUs), this.scheduler.wallClockMs(toUs)) ===
          true
      )
        this.late(u.deviceId, u.fCnt);
    }
    if (this.head > 4096 && this.head * 2 > h.length) {
      h.splice(0, this.head);
      this.head = 0;
    }
  }
}
