export interface ScheduledDownlink {
  deviceId: string;
  fPort: number;
  bytes: string;
  correlationId: string;
  /** When it was queued (scheduler µs). */
  atUs: number;
  /** Uplinks of its device a gateway heard after it was queued: chances the network had to send it. */
  chances?: number;
  delivered?: { window: string; fCnt: number };
}

/**
 * Matches each downlink lorafleet pushes with what the device received (FPort and bytes; the window
 * and FCntDown are recorded). What never arrives is counted as undelivered at the end of a run.
 */
export class DownlinkTracker {
  private readonly pending = new Map<string, ScheduledDownlink[]>();
  private readonly all: ScheduledDownlink[] = [];
  unmatched = 0;

  scheduled(d: Omit<ScheduledDownlink, 'delivered' | 'bytes' | 'chances'> & { bytes: Uint8Array }): void {
    const item = { ...d, bytes: Buffer.from(d.bytes).toString('hex') };
    this.all.push(item);
    const list = this.pending.get(d.deviceId) ?? [];
    list.push(item);
    this.pending.set(d.deviceId, list);
  }

  /** A data uplink of `deviceId` starting at `startUs` reached a gateway: a window to answer in. */
  uplinkHeard(deviceId: string, startUs: number): void {
    for (const d of this.pending.get(deviceId) ?? []) if (d.atUs < startUs) d.chances = (d.chances ?? 0) + 1;
  }

  /** A device received an application downlink: the oldest pending one with the same port and bytes. */
  received(deviceId: string, fPort: number, bytes: Uint8Array, fCnt: number, window: string): boolean {
    const list = this.pending.get(deviceId) ?? [];
    const hex = Buffer.from(bytes).toString('hex');
    const i = list.findIndex((x) => x.fPort === fPort && x.bytes === hex);
    if (i < 0) {
      this.unmatched++;
      return false;
    }
    list[i]!.delivered = { window, fCnt };
    list.splice(i, 1);
    return true;
  }

  stats(): {
    scheduled: number;
    delivered: number;
    undelivered: number;
    /** Undelivered with no uplink from their device after they were queued. */
    noUplink: number;
    byWindow: Record<string, number>;
    unmatched: number;
  } {
    const byWindow: Record<string, number> = {};
    let delivered = 0;
    let noUplink = 0;
    for (const d of this.all) {
      if (!d.delivered && !d.chances) noUplink++;
      if (!d.delivered) continue;
      delivered++;
      byWindow[d.delivered.window] = (byWindow[d.delivered.window] ?? 0) + 1;
    }
    return {
      scheduled: this.all.length,
      delivered,
      undelivered: this.all.length - delivered,
      noUplink,
      byWindow,
      unmatched: this.unmatched,
    };
  }
}
