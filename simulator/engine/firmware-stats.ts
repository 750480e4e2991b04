import type { DeviceEvent, DeviceTransmission } from '../device/types.js';
import type { FirmwareReport } from '../report/types.js';
import type { Region } from '../region/types.js';
import { dataRateIndex } from '../region/channels.js';
import type { FirmwareDevice } from './firmware-fleet.js';

const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

/**
 * What the firmware devices did, for the report's `firmware` block: MAC commands each way by name,
 * the data rates and powers their data frames used per fleet (ADR at work), and how many
 * Join-requests a device needed.
 */
export class FirmwareStats {
  private readonly fromNetwork: Record<string, number> = {};
  private readonly fromDevices: Record<string, number> = {};
  private readonly dataRates: Record<string, Record<string, number>> = {};
  private readonly txPowerDbm: Record<string, Record<string, number>> = {};

  constructor(private readonly region: Region) {}

  transmitted(fleet: string, tx: DeviceTransmission): void {
    if (tx.kind !== 'data') return;
    const dr = dataRateIndex(this.region, tx.datr);
    bump((this.dataRates[fleet] ??= {}), dr === undefined ? String(tx.datr) : `DR${dr}`);
    bump((this.txPowerDbm[fleet] ??= {}), String(tx.eirp));
  }

  event(e: DeviceEvent): void {
    if (e.type !== 'mac') return;
    const into = e.dir === 'down' ? this.fromNetwork : this.fromDevices;
    for (const name of e.commands) bump(into, name);
  }

  report(devices: ReadonlyMap<string, FirmwareDevice>): FirmwareReport {
    let otaa = 0;
    let attempts = 0;
    let max = 0;
    for (const { dev, plan } of devices.values()) {
      if (plan.spec.activation !== 'otaa') continue;
      otaa++;
      attempts += dev.counters.joinRequests;
      max = Math.max(max, dev.counters.joinRequests);
    }
    return {
      mac: { fromNetwork: { ...this.fromNetwork }, fromDevices: { ...this.fromDevices } },
      dataRates: structuredClone(this.dataRates),
      txPowerDbm: structuredClone(this.txPowerDbm),
      joinRequests: {
        devices: otaa,
        total: attempts,
        max,
      },
    };
  }
}
